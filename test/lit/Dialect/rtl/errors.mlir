// RUN: loom-opt %s -split-input-file -verify-diagnostics

// One broken op per case; together they hit every error path of
// dialects/rtl/RTLOps.cpp (in source order).

// expected-error @+1 {{'rtl.module' op has 2 input ports but 1 input names}}
rtl.module @ports attributes {input_names = ["a"], output_names = []} {
^bb0(%a: i1, %b: i1):
}

// -----

// expected-error @+1 {{'rtl.module' op drives 1 outputs but has 0 output names}}
rtl.module @outputs attributes {input_names = ["a"], output_names = []} {
^bb0(%a: i1):
  rtl.output %a : i1
}

// -----

// expected-error @+1 {{'rtl.module' op port name '1a' is not a legal identifier}}
rtl.module @bad_input_name attributes {input_names = ["1a"], output_names = []} {
^bb0(%a: i1):
}

// -----

// expected-error @+1 {{'rtl.module' op port name 'out-data' is not a legal identifier}}
rtl.module @bad_output_name attributes {input_names = ["a"], output_names = ["out-data"]} {
^bb0(%a: i1):
  rtl.output %a : i1
}

// -----

// expected-error @+1 {{'rtl.module' op port name '' is not a legal identifier}}
rtl.module @empty_name attributes {input_names = [""], output_names = []} {
^bb0(%a: i1):
}

// -----

// expected-error @+1 {{'rtl.module' op input ports must be signless integers}}
rtl.module @index_port attributes {input_names = ["a"], output_names = []} {
^bb0(%a: index):
}

// -----

rtl.module @instance_inputs attributes {input_names = ["a"], output_names = []} {
^bb0(%a: i1):
  // expected-error @+1 {{'rtl.instance' op has 1 inputs but 2 input port names}}
  %x = rtl.instance "u" @loom_skid {}(%a) {input_names = ["a", "b"], output_names = ["x"]} : (i1) -> i1
}

// -----

rtl.module @instance_outputs attributes {input_names = ["a"], output_names = []} {
^bb0(%a: i1):
  // expected-error @+1 {{'rtl.instance' op has 1 outputs but 0 output port names}}
  %x = rtl.instance "u" @loom_skid {}(%a) {input_names = ["a"], output_names = []} : (i1) -> i1
}

// -----

rtl.module @instance_name attributes {input_names = ["a"], output_names = []} {
^bb0(%a: i1):
  // expected-error @+1 {{'rtl.instance' op instance name 'u 0' is not a legal identifier}}
  %x = rtl.instance "u 0" @loom_skid {}(%a) {input_names = ["a"], output_names = ["x"]} : (i1) -> i1
}

// -----

rtl.module @instance_param attributes {input_names = ["a"], output_names = []} {
^bb0(%a: i1):
  // expected-error @+1 {{'rtl.instance' op parameter 'W' must be an integer or a string}}
  %x = rtl.instance "u" @loom_skid {W = 1.5 : f32}(%a) {input_names = ["a"], output_names = ["x"]} : (i1) -> i1
}

// -----

// expected-error @+1 {{'rtl.memfile' op lane_bits must be in [1, 64]}}
rtl.memfile "w.mem" {lane_bits = 0 : i64, lanes = 1 : i64, data = dense<[1]> : tensor<1xi64>}

// -----

// expected-error @+1 {{'rtl.memfile' op lane_bits must be in [1, 64]}}
rtl.memfile "w.mem" {lane_bits = 65 : i64, lanes = 1 : i64, data = dense<[1]> : tensor<1xi64>}

// -----

// expected-error @+1 {{'rtl.memfile' op data size 3 is not a multiple of lanes 2}}
rtl.memfile "w.mem" {lane_bits = 8 : i64, lanes = 2 : i64, data = dense<[1, 2, 3]> : tensor<3xi64>}

// -----

// expected-error @+1 {{'rtl.memfile' op data size 3 is not a multiple of lanes 0}}
rtl.memfile "w.mem" {lane_bits = 8 : i64, lanes = 0 : i64, data = dense<[1, 2, 3]> : tensor<3xi64>}

// -----

// Regression: lanes is read signed (the I64Attr getter's uint64_t printed 2^64-1).
// expected-error @+1 {{'rtl.memfile' op data size 3 is not a multiple of lanes -1}}
rtl.memfile "w.mem" {lane_bits = 8 : i64, lanes = -1 : i64, data = dense<[1, 2, 3]> : tensor<3xi64>}

// -----

// expected-error @+1 {{'rtl.memfile' op file_name must be a plain file name}}
rtl.memfile "" {lane_bits = 8 : i64, lanes = 1 : i64, data = dense<[1]> : tensor<1xi64>}

// -----

// expected-error @+1 {{'rtl.memfile' op file_name must be a plain file name}}
rtl.memfile "../w.mem" {lane_bits = 8 : i64, lanes = 1 : i64, data = dense<[1]> : tensor<1xi64>}
