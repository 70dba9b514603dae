//===- RTLTarget.h - the plug point for a hardware target -------*- C++ -*-===//
//
// df-to-rtl builds one top module whose body instantiates library modules
// joined by valid/ready streams. What it builds the actors from is a target:
// an RTLTarget maps each df actor (with the hw_model configuration the cost
// model used, DFCost) to instances of its library. The Loom library (rtl/) is
// the one target today (LoomLibrary.cpp); a second RTL library or a vendor's
// primitives would be another RTLTarget, chosen by createRTLTarget. The
// NetlistBuilder does the target-independent part: instance names, the nets
// of each stream, and the memory images. See docs/dialects/df.md, "Hardware
// targets".
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PASSES_RTLTARGET_RTLTARGET_H
#define LOOM_PASSES_RTLTARGET_RTLTARGET_H

#include "dialects/df/DFOps.h"
#include "dialects/rtl/RTLOps.h"
#include "hw_model/Configs.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

#include <memory>

namespace loom {

/// Builds the body of one rtl.module: stream-connected instances and the
/// rtl.memfile images beside the module. A stream's data and valid nets come
/// from its producer's `<port>_data` / `<port>_valid` outputs, its ready from
/// its consumer's `<port>_ready`; the ready inputs are patched by finish().
class NetlistBuilder {
public:
  NetlistBuilder(rtl::ModuleOp module, mlir::Value clk, mlir::Value rst);

  mlir::OpBuilder &builder() { return b; }
  mlir::MLIRContext *getContext() { return b.getContext(); }

  /// Gives `stream` (e.g. the graph input) the nets that carry it.
  void setStreamNets(mlir::Value stream, mlir::Value data, mlir::Value valid);

  /// A legal instance name for `op` from its ONNX node name (`fallback`
  /// without one), plus `suffix`, that clashes with no port, instance or
  /// net of the module; reserved once returned.
  std::string instanceName(mlir::Operation *op, llvm::StringRef fallback,
                           llvm::StringRef suffix = "");
  /// Reserves a fixed instance name (and its nets).
  void reserve(const std::string &name);

  /// A $readmemh image `name` of `lanes` lanes of `laneBits` bits per word.
  void memfile(llvm::StringRef name, int64_t laneBits, int64_t lanes, llvm::ArrayRef<int64_t> data);

  /// A memory image loaded at run time (--runtime-weights): an rtl.memfile with
  /// its `load_offset`, the next free word of the load image, which it returns.
  /// Lines take ceil(lanes * laneBits / 32) words (docs/CONTRACTS.md).
  int64_t loadableMemfile(llvm::StringRef name, int64_t laneBits, int64_t lanes,
                          llvm::ArrayRef<int64_t> data);
  /// Words of the load image so far.
  int64_t loadImageWords() const { return loadWords; }

  /// The weight-load bus (loom_wt_bus outputs) of a --runtime-weights design;
  /// without one the units' bus ports are tied to constant 0 nets.
  void setWeightBus(mlir::Value data, mlir::Value addr, mlir::Value valid, bool loadable);
  bool runtimeWeights() const { return runtimeLoad; }
  /// Appends the bus (or the 0 ties) to `inst` (ports wt_data, wt_addr, wt_valid).
  void connectWeightBus(rtl::InstanceOp inst);

  /// An instance of `module` reading streams `ins` on ports `inPorts` and
  /// producing `outs` on `outPorts` (plus 1-bit outputs `extraOuts`, results
  /// after the streams' data/valid pairs).
  rtl::InstanceOp instantiate(llvm::StringRef module, llvm::StringRef name,
                              mlir::NamedAttrList params, mlir::ArrayRef<mlir::Value> ins,
                              mlir::ArrayRef<mlir::Value> outs,
                              llvm::ArrayRef<llvm::StringRef> inPorts,
                              llvm::ArrayRef<llvm::StringRef> outPorts,
                              llvm::ArrayRef<llvm::StringRef> extraOuts = {});
  /// One stream in ("in"), one out ("out"): most actors.
  rtl::InstanceOp instantiateStream(mlir::Operation *op, llvm::StringRef module,
                                    llvm::StringRef name, mlir::NamedAttrList params);

  /// Sets an integer parameter of each (name, value).
  void setParams(mlir::NamedAttrList &params,
                 std::initializer_list<std::pair<const char *, int64_t>> values);

  /// The nets of a stream once its producer exists.
  std::pair<mlir::Value, mlir::Value> dataValidOf(mlir::Value stream) { return dataValid[stream]; }
  /// The ready net a stream's consumer drives.
  mlir::Value readyOf(mlir::Value stream) { return readyNet[stream]; }
  /// Which instance input takes the ready of `stream` (its producer's out_ready).
  std::pair<rtl::InstanceOp, unsigned> &readySlotOf(mlir::Value stream) {
    return readySlot[stream];
  }

  /// Closes every stream's handshake: its producer's out_ready is its
  /// consumer's in_ready.
  void finish();

private:
  mlir::OpBuilder b;
  rtl::ModuleOp module;
  mlir::Value clk, rst;
  llvm::StringSet<> used;
  mlir::Value wtData, wtAddr, wtValid;
  bool runtimeLoad = false;
  int64_t loadWords = 0;
  llvm::DenseMap<mlir::Value, std::pair<mlir::Value, mlir::Value>> dataValid;
  llvm::DenseMap<mlir::Value, mlir::Value> readyNet;
  llvm::DenseMap<mlir::Value, std::pair<rtl::InstanceOp, unsigned>> readySlot;
  bool isFree(const std::string &name);
};

/// A library of hardware modules that implements the df actors.
class RTLTarget {
public:
  virtual ~RTLTarget() = default;
  /// The target's name (the df-to-rtl `target` a user would choose).
  virtual llvm::StringRef name() const = 0;
  /// Instantiates what implements `actor`, whose hw_model configuration is
  /// `config`; fails with a diagnostic on an actor the target cannot build.
  virtual mlir::LogicalResult lowerActor(mlir::Operation *actor, const hw::ActorConfig &config,
                                         NetlistBuilder &netlist) = 0;
  /// The stage that ends the graph's output stream `out` (`beats` per frame):
  /// an instance named `name` with stream ports "in" / "out" and an extra
  /// 1-bit output (TLAST: the frame's last beat).
  virtual rtl::InstanceOp lowerFrameEnd(mlir::Value out, int64_t beats, llvm::StringRef name,
                                        NetlistBuilder &netlist) = 0;
};

/// The Loom RTL library (rtl/stream, rtl/compute; docs/CONTRACTS.md).
std::unique_ptr<RTLTarget> createLoomLibraryTarget();

} // namespace loom

#endif
