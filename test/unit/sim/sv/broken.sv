// Deliberate syntax error for the error-reporting test.
module broken (input logic clk;
  this is not verilog
endmodule
