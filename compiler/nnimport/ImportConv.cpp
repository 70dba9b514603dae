//===- ImportConv.cpp - Convolutions, pooling, padding, resizing ----------===//
//
// The NCHW feature-map ops. 1-D ones (N, C, L) are imported as H = 1 and
// reshaped back.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

#include "compiler/reference/ConvKernels.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

// Tags naming the import functions importOp<Tag> of this file (Importer.h).
namespace loom::nnimport::onnxop {
struct Pad;
struct Resize;
} // namespace loom::nnimport::onnxop

llvm::Expected<SmallVector<int64_t>>
Importer::windowShape(const OnnxNode &node, ArrayRef<int64_t> in, int64_t outChannels,
                      ArrayRef<int64_t> kernel, SmallVector<int64_t> &strides,
                      SmallVector<int64_t> &dilations, SmallVector<int64_t> &pads,
                      bool ceilAllowed) {
  auto get2 = [&](const char *attr) {
    std::vector<int64_t> v = node.getInts(attr, {1, 1});
    return SmallVector<int64_t>(v.begin(), v.end());
  };
  strides = get2("strides");
  dilations = get2("dilations");
  if (strides.size() != 2 || dilations.size() != 2)
    return nodeError(node, "strides and dilations must have 2 values");
  reference::AutoPad autoPad;
  if (!reference::parseAutoPad(node.getString("auto_pad", "NOTSET"), autoPad))
    return nodeError(node, "unknown auto_pad '" + node.getString("auto_pad") + "'");
  std::vector<int64_t> p =
      reference::resolvePads({in[2], in[3]}, {kernel[0], kernel[1]}, {strides[0], strides[1]},
                             {dilations[0], dilations[1]}, autoPad, node.getInts("pads"));
  if (p.size() != 4)
    return nodeError(node, "pads must have 4 values");
  // ONNX order [top, left, bottom, right] is also ours.
  pads.assign(p.begin(), p.end());
  SmallVector<int64_t> out = {1, outChannels, 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t floorOut = reference::windowOutSize(in[2 + i], kernel[i], strides[i], dilations[i],
                                                pads[i], pads[2 + i], false);
    int64_t ceilOut = reference::windowOutSize(in[2 + i], kernel[i], strides[i], dilations[i],
                                               pads[i], pads[2 + i], node.getInt("ceil_mode", 0));
    if (ceilOut != floorOut) {
      if (!ceilAllowed)
        return nodeError(node, "ceil_mode with count_include_pad is not supported");
      // ceil_mode == extra end padding whose positions are never valid.
      pads[2 + i] += (ceilOut - floorOut) * strides[i];
    }
    out[2 + i] = ceilOut;
    if (ceilOut < 1)
      return nodeError(node, "the window is larger than the padded input");
  }
  return out;
}

llvm::Error Importer::importWindowed(const OnnxNode &node, Value in, WindowBuilder build) {
  SmallVector<int64_t> shape(shapeOf(in));
  bool was1d = shape.size() == 3;
  if (was1d) { // 1-D: view as H = 1
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({shape[0], shape[1], 1, shape[2]}), in);
    name(r, node);
    in = r;
    shape = {shape[0], shape[1], 1, shape[2]};
  }
  if (shape.size() != 4)
    return nodeError(node, "expects a 1-D or 2-D feature map (rank 3 or 4), got rank " +
                               std::to_string(shape.size()));
  auto as2d = [](std::vector<int64_t> v, int64_t dflt) {
    if (v.size() == 1)
      v.insert(v.begin(), dflt);
    return v;
  };
  auto fix1d = [&](OnnxNode n) {
    // 1-D attributes gain the H = 1 dimension.
    if (!was1d)
      return n;
    for (const char *a : {"strides", "dilations", "kernel_shape"})
      if (n.hasAttr(a))
        n.attrs[a].ints = as2d(n.attrs[a].ints, 1);
    if (n.hasAttr("pads") && n.attrs["pads"].ints.size() == 2)
      n.attrs["pads"].ints = {0, n.attrs["pads"].ints[0], 0, n.attrs["pads"].ints[1]};
    return n;
  };
  llvm::Expected<Operation *> result = build(fix1d(node), in, shape);
  if (!result)
    return result.takeError();
  name(*result, node);
  Value v = (*result)->getResult(0);
  if (was1d) { // back to (N, C, L)
    auto t = llvm::cast<RankedTensorType>(v.getType());
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({1, t.getDimSize(1), t.getDimSize(3)}), v);
    name(r, node);
    v = r;
  }
  values[node.outputs[0]] = v;
  return llvm::Error::success();
}

/// Conv (also QLinearConv / ConvInteger, rewritten to (x, w, b) operands by
/// importQLinearConv).
llvm::Error Importer::importConv(const OnnxNode &node, Value in) {
  auto build = [&](const OnnxNode &n2, Value x,
                   ArrayRef<int64_t> shape) -> llvm::Expected<Operation *> {
    const OnnxTensor *w = node.inputs.size() > 1 ? constant(node.inputs[1]) : nullptr;
    if (!w)
      return nodeError(node, "the weights must be a constant");
    std::vector<int64_t> wd = w->dims;
    if (wd.size() == 3)
      wd = {wd[0], wd[1], 1, wd[2]};
    if (wd.size() != 4)
      return nodeError(node, "weights must be OIHW");
    int64_t group = node.getInt("group", 1);
    if (group < 1 || shape[1] % group || wd[1] * group != shape[1])
      return nodeError(node, "group does not match the channels");
    SmallVector<int64_t> strides, dilations, pads;
    auto out = windowShape(n2, shape, wd[0], {wd[2], wd[3]}, strides, dilations, pads, false);
    if (!out)
      return out.takeError();
    std::vector<float> wv(w->values.begin(), w->values.end()), bv(wd[0], 0.0f);
    if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
      const OnnxTensor *bt = constant(node.inputs[2]);
      if (!bt || bt->numElements() != wd[0])
        return nodeError(node, "the bias must be a constant with one value per output channel");
      bv.assign(bt->values.begin(), bt->values.end());
    }
    auto ws = weightScaleFor(node, node.inputs[1], 0, wd[0], 1.0);
    if (!ws)
      return ws.takeError();
    return b
        .create<nn::ConvOp>(loc(node), f32(*out), x, f32Attr(wd, wv), f32Attr({wd[0]}, bv),
                            b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(dilations),
                            b.getDenseI64ArrayAttr(pads), b.getI64IntegerAttr(group), *ws)
        .getOperation();
  };
  return importWindowed(node, in, build);
}

/// MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool (also the float
/// pool inside com.microsoft QLinearGlobalAveragePool).
llvm::Error Importer::importPool(const OnnxNode &node, Value in) {
  const std::string &op = node.opType;
  bool global = op == "GlobalAveragePool" || op == "GlobalMaxPool";
  bool isMax = op == "MaxPool" || op == "GlobalMaxPool";
  auto build = [&](const OnnxNode &n2, Value x,
                   ArrayRef<int64_t> shape) -> llvm::Expected<Operation *> {
    if (isMax && node.outputs.size() > 1 && !node.outputs[1].empty())
      return nodeError(node, "the Indices output is not supported");
    std::vector<int64_t> k =
        global ? std::vector<int64_t>{shape[2], shape[3]} : n2.getInts("kernel_shape");
    if (k.size() != 2)
      return nodeError(node, "kernel_shape must have 1 or 2 values");
    bool includePad = node.getInt("count_include_pad", 0);
    SmallVector<int64_t> strides, dilations, pads;
    auto out = windowShape(n2, shape, shape[1], k, strides, dilations, pads, isMax || !includePad);
    if (!out)
      return out.takeError();
    if (isMax)
      return b
          .create<nn::MaxPoolOp>(loc(node), f32(*out), x, b.getDenseI64ArrayAttr(k),
                                 b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(dilations),
                                 b.getDenseI64ArrayAttr(pads))
          .getOperation();
    if (dilations[0] != 1 || dilations[1] != 1)
      return nodeError(node, "dilated average pooling is not supported");
    return b
        .create<nn::AvgPoolOp>(loc(node), f32(*out), x, b.getDenseI64ArrayAttr(k),
                               b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(pads),
                               b.getBoolAttr(includePad), IntegerAttr(),
                               b.getStringAttr("half_even"))
        .getOperation();
  };
  return importWindowed(node, in, build);
}

template <> llvm::Error Importer::importOp<onnxop::Pad>(const OnnxNode &node, Value in) {
  SmallVector<int64_t> shape(shapeOf(in));
  std::string mode = node.getString("mode", "constant");
  std::vector<int64_t> pads = node.getInts("pads");
  if (node.inputs.size() > 1) {
    const OnnxTensor *t = constant(node.inputs[1]);
    if (!t)
      return nodeError(node, "pads must be a constant");
    pads = t->asInt64();
  }
  double value = node.getFloat("value", 0.0);
  if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
    const OnnxTensor *t = constant(node.inputs[2]);
    value = t && !t->values.empty() ? t->values[0] : 1.0;
  }
  if (mode != "constant" || value != 0.0)
    return nodeError(node, "only zero padding is supported (mode 'constant', value 0)");
  if (shape.size() != 4 || pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5])
    return nodeError(node, "only padding of H and W of an NCHW tensor is supported");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return nodeError(node, "negative pads (cropping) are not supported");
  SmallVector<int64_t> out = {shape[0], shape[1], shape[2] + pads[2] + pads[6],
                              shape[3] + pads[3] + pads[7]};
  auto result = b.create<nn::PadOp>(loc(node), f32(out), in,
                                    b.getDenseI64ArrayAttr({pads[2], pads[3], pads[6], pads[7]}));
  return produce(node, result);
}

/// Resize and Upsample: nearest-neighbour repetition of H and W by integer
/// factors (nn.resize).
template <> llvm::Error Importer::importOp<onnxop::Resize>(const OnnxNode &node, Value in) {
  bool upsample = node.opType == "Upsample";
  SmallVector<int64_t> shape(shapeOf(in));
  // Nearest-neighbour resizing by integer factors of H and W only: every
  // output pixel (oh, ow) must read input pixel (oh / sh, ow / sw), i.e. the
  // coordinate transformation and rounding reduce to plain repetition.
  std::string mode = node.getString("mode", "nearest");
  if (mode != "nearest")
    return nodeError(node, "only mode 'nearest' is supported, got '" + mode + "'");
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (upsample) {
    scales = node.getFloats("scales");
    if (node.inputs.size() > 1) {
      const OnnxTensor *t = constant(node.inputs[1]);
      if (!t)
        return nodeError(node, "scales must be a constant");
      scales = t->values;
    }
  } else {
    // Resize-10: (X, scales); Resize-11+: (X, roi, scales, sizes).
    size_t si = node.inputs.size() == 2 ? 1 : 2;
    if (node.inputs.size() > si && !node.inputs[si].empty()) {
      const OnnxTensor *t = constant(node.inputs[si]);
      if (!t)
        return nodeError(node, "scales must be a constant");
      scales = t->values;
    }
    if (node.inputs.size() > 3 && !node.inputs[3].empty()) {
      const OnnxTensor *t = constant(node.inputs[3]);
      if (!t)
        return nodeError(node, "sizes must be a constant");
      sizes = t->asInt64();
    }
  }
  if (shape.size() != 4)
    return nodeError(node, "only resizing of NCHW feature maps is supported");
  if (scales.empty() && sizes.size() == 4)
    for (size_t i = 0; i < 4; ++i)
      scales.push_back(double(sizes[i]) / double(shape[i]));
  if (scales.size() != 4)
    return nodeError(node, "needs 4 scales (or sizes)");
  if (scales[0] != 1.0 || scales[1] != 1.0)
    return nodeError(node, "only H and W may be resized");
  reference::CoordMode cm = reference::CoordMode::Asymmetric;
  reference::NearestMode nm = reference::NearestMode::Floor;
  if (!upsample) {
    if (!reference::parseCoordMode(node.getString("coordinate_transformation_mode", "half_pixel"),
                                   cm))
      return nodeError(node, "unsupported coordinate_transformation_mode '" +
                                 node.getString("coordinate_transformation_mode") + "'");
    if (!reference::parseNearestMode(node.getString("nearest_mode", "round_prefer_floor"), nm))
      return nodeError(node, "unsupported nearest_mode '" + node.getString("nearest_mode") + "'");
  }
  int64_t f[2];
  for (int a = 0; a < 2; ++a) {
    double s = scales[2 + a];
    int64_t inSize = shape[2 + a];
    f[a] = int64_t(s);
    if (double(f[a]) != s || f[a] < 1)
      return nodeError(node, "only integer scale factors >= 1 of H and W are supported");
    int64_t out = inSize * f[a];
    if (!sizes.empty() && sizes.size() == 4 && sizes[2 + a] != out)
      return nodeError(node, "sizes do not match an integer scale factor");
    for (int64_t o = 0; o < out; ++o)
      if (reference::nearestSourceIndex(o, inSize, out, s, cm, nm) != o / f[a])
        return nodeError(node, "this coordinate_transformation_mode / nearest_mode is not "
                               "plain pixel repetition (use asymmetric + floor, or "
                               "half_pixel + round_prefer_floor)");
  }
  SmallVector<int64_t> out = {shape[0], shape[1], shape[2] * f[0], shape[3] * f[1]};
  return produce(
      node, b.create<nn::ResizeOp>(loc(node), f32(out), in, b.getDenseI64ArrayAttr({f[0], f[1]})));
}

/// This family's rows of the op table (ImportTable.cpp).

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::convOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "AveragePool", 1, kLatest, Role::Streams, &Importer::importPool, nullptr},
      {OnnxDomain::Onnx, "Conv", 1, kLatest, Role::Streams, &Importer::importConv, nullptr},
      {OnnxDomain::Onnx, "GlobalAveragePool", 1, kLatest, Role::Streams, &Importer::importPool,
       nullptr},
      {OnnxDomain::Onnx, "GlobalMaxPool", 1, kLatest, Role::Streams, &Importer::importPool,
       nullptr},
      {OnnxDomain::Onnx, "MaxPool", 1, kLatest, Role::Streams, &Importer::importPool, nullptr},
      {OnnxDomain::Onnx, "Pad", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Pad>,
       nullptr},
      {OnnxDomain::Onnx, "Resize", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Resize>,
       nullptr},
      {OnnxDomain::Onnx, "Upsample", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Resize>,
       nullptr},
  };
  return rows;
}
