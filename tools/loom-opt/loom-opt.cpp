//===- loom-opt.cpp - run Loom passes on .mlir files ----------------------===//
//
// The compiler engineer's tool: every dialect and pass of Loom, plus MLIR's
// generic ones (canonicalize, cse), behind mlir-opt's command line. lit tests
// drive it.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<loom::nn::NNDialect, loom::df::DFDialect, loom::rtl::RTLDialect,
                  mlir::func::FuncDialect>();
  loom::registerLoomPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "Loom optimizer driver\n", registry));
}
