#!/usr/bin/env node
// ONNX Runtime as an independent oracle for Loom's tests.
//
//   node tools/oracle/ort_run.js MODEL.onnx OUT_DIR NAME=X.npy [NAME=X.npy ...]
//
// Each X.npy holds N frames of one graph input: shape [N, ...] where the
// frame is the input's shape without its batch dimension (or with it, when
// that dimension is 1). The model runs once per frame (batch 1), and for each
// graph output OUT_DIR/<index>.npy receives the N frames stacked as
// [N, ...output shape without its batch dimension of 1], float32 (or the
// output's integer type as int64). OUT_DIR/outputs.json lists the output
// names in that order. Exit status 2 and a one-line message on any error.
//
// Loom's own reference interpreter and RTL are checked against this: a
// semantic bug in the interpreter cannot hide behind bit-exactness.
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write('ort_run: ' + msg + '\n');
  process.exit(2);
}

let ort;
try {
  ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
} catch (e) {
  fail('onnxruntime-node is not installed in ' + __dirname +
       ' (run tools/setup.sh, which runs npm ci --ignore-scripts there): ' + e.message);
}

const DTYPES = {
  '<f4': ['float32', Float32Array, 4], '<f8': ['float64', Float64Array, 8],
  '<i8': ['int64', BigInt64Array, 8], '<i4': ['int32', Int32Array, 4],
  '|u1': ['uint8', Uint8Array, 1], '|i1': ['int8', Int8Array, 1],
  '<i2': ['int16', Int16Array, 2], '<u2': ['uint16', Uint16Array, 2],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') fail(file + ': not a .npy file');
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const off = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', off, off + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape) fail(file + ': unreadable .npy header');
  if (/'fortran_order':\s*True/.test(header)) fail(file + ': Fortran order is not supported');
  const dt = DTYPES[descr[1]];
  if (!dt) fail(file + ': dtype ' + descr[1] + ' is not supported');
  const dims = shape[1].split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const start = off + hlen;
  const bytes = buf.subarray(start, start + count * dt[2]);
  const data = new dt[1](count);
  new Uint8Array(data.buffer).set(bytes);
  return {type: dt[0], dims, data};
}

function writeNpy(file, descr, dims, typed) {
  let header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" +
               dims.join(', ') + (dims.length === 1 ? ',' : '') + '), }';
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'),
                                        Buffer.from(typed.buffer, typed.byteOffset,
                                                    typed.byteLength)]));
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 3) fail('usage: ort_run.js MODEL.onnx OUT_DIR NAME=X.npy [NAME=X.npy ...]');
  const [model, outDir, ...pairs] = args;
  let session;
  try {
    session = await ort.InferenceSession.create(model, {graphOptimizationLevel: 'disabled'});
  } catch (e) {
    fail(model + ': ONNX Runtime cannot load it: ' + String(e.message).split('\n')[0]);
  }
  const inputs = {};
  let frames = -1;
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq < 0) fail('expected NAME=X.npy, got ' + p);
    const name = p.slice(0, eq);
    if (!session.inputNames.includes(name))
      fail('the model has no input ' + name + ' (inputs: ' + session.inputNames.join(', ') + ')');
    const a = readNpy(p.slice(eq + 1));
    if (frames >= 0 && a.dims[0] !== frames) fail('inputs hold different frame counts');
    frames = a.dims[0];
    inputs[name] = a;
  }
  for (const name of session.inputNames)
    if (!inputs[name]) fail('no array given for input ' + name);
  fs.mkdirSync(outDir, {recursive: true});
  const outs = session.outputNames.map(() => ({chunks: [], dims: null, int: false}));
  for (let f = 0; f < frames; ++f) {
    const feeds = {};
    for (const [name, a] of Object.entries(inputs)) {
      const frameDims = a.dims.slice(1);
      const n = frameDims.reduce((x, y) => x * y, 1);
      const meta = session.inputMetadata ? session.inputMetadata.find(m => m.name === name) : null;
      let dims = [1, ...frameDims];
      if (meta && meta.shape && meta.shape.length === frameDims.length) dims = frameDims;
      feeds[name] = new ort.Tensor(a.type, a.data.slice(f * n, (f + 1) * n), dims);
    }
    let r;
    try {
      r = await session.run(feeds);
    } catch (e) {
      fail(model + ': ONNX Runtime failed on frame ' + f + ': ' + String(e.message).split('\n')[0]);
    }
    session.outputNames.forEach((name, i) => {
      const t = r[name];
      let dims = t.dims.slice();
      if (dims.length > 0 && dims[0] === 1) dims = dims.slice(1);
      outs[i].dims = dims;
      if (t.type === 'float32' || t.type === 'float64') {
        outs[i].chunks.push(Float32Array.from(t.data));
      } else {
        outs[i].int = true;
        outs[i].chunks.push(BigInt64Array.from(Array.from(t.data, v => BigInt(v))));
      }
    });
  }
  session.outputNames.forEach((name, i) => {
    const o = outs[i];
    const n = o.chunks.reduce((s, c) => s + c.length, 0);
    const all = o.int ? new BigInt64Array(n) : new Float32Array(n);
    let at = 0;
    for (const c of o.chunks) { all.set(c, at); at += c.length; }
    writeNpy(path.join(outDir, i + '.npy'), o.int ? '<i8' : '<f4', [frames, ...(o.dims || [])], all);
  });
  fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify(session.outputNames));
}

main().catch(e => fail(String(e && e.message ? e.message : e).split('\n')[0]));
