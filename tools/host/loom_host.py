"""Host side of a Loom accelerator: numpy arrays to and from AXI4-Stream beats.

`loom compile` copies this file next to OUT/host/io.json, which describes every
graph input and output (docs/CONTRACTS.md, "Host interface"). Needs numpy only.

    import numpy as np, loom_host
    d = loom_host.Design("OUT/host/io.json")
    beats = d.pack("x", X)            # X: [N, ...input shape after batch], float
    # ... write beats (uint8 [N * beats_per_frame, bytes_per_beat]) to s_axis ...
    Y = d.unpack("y", out_beats)      # [N, ...output shape after batch], float32

A beat holds `lanes` codes of `bits` bits, lane e in bits [e*bits, (e+1)*bits)
of tdata, two's complement, little endian, padded with zeros to whole bytes.
Stream element i of a frame is flat tensor element perm[i] (feature maps
stream channels-last). Codes are what the hardware computes on: fixed point
c = sat(round_half_even(x * 2^frac)), or affine centred codes c = q - zp with
q = clamp(round(f32(x) / f32(scale)) + zp, qmin, qmax).
"""
import json

import numpy as np


def _round(v, mode):
    if mode == "half_even":
        return np.rint(v)
    if mode == "half_up":  # ties away from zero
        return np.sign(v) * np.floor(np.abs(v) + 0.5)
    if mode == "half_down":  # ties towards zero
        return np.sign(v) * np.ceil(np.abs(v) - 0.5)
    if mode == "floor":
        return np.floor(v)
    if mode == "ceil":
        return np.ceil(v)
    if mode == "to_zero":
        return np.trunc(v)
    raise ValueError("unknown rounding mode %r" % mode)


class End:
    """One graph input or output."""

    def __init__(self, d):
        self.name = d["name"]
        self.port = d.get("port", "")
        self.shape = list(d["shape"])
        self.lanes, self.bits = int(d["lanes"]), int(d["bits"])
        self.beats = int(d["beats_per_frame"])
        self.frac = int(d.get("frac", 0))
        self.perm = d.get("perm")
        self.scale = d.get("scale")
        self.zero_point = d.get("zero_point") or [0]
        self.axis = int(d.get("axis", 0))
        self.integer = bool(d.get("integer", False))
        self.bipolar = bool(d.get("bipolar", False))
        # token ids (docs/CONTRACTS.md "Embedding"): addresses, never clipped
        self.index = bool(d.get("index", False))
        self.rounding = d.get("rounding", "half_even")
        self.qmin, self.qmax = d.get("qmin"), d.get("qmax")
        self.elements = int(np.prod(self.shape)) if self.shape else 1
        self.bytes_per_beat = (self.lanes * self.bits + 7) // 8

    def _per_element(self, values, n):
        """Per-axis parameters broadcast to the flat elements of one frame."""
        values = np.asarray(values, dtype=np.float64)
        if values.size <= 1:
            return np.full(n, values.reshape(-1)[0] if values.size else 0.0)
        inner = int(np.prod(self.shape[self.axis + 1:])) if self.shape else 1
        idx = (np.arange(n) // inner) % self.shape[self.axis]
        return values[idx]

    def frames(self, x):
        """[N, ...] (frame shape, or the tensor shape with the batch as N) -> [N, elements]."""
        x = np.asarray(x)
        if x.size % self.elements:
            raise ValueError("%s: %d values are not whole frames of %d" % (self.name, x.size,
                                                                           self.elements))
        return x.reshape(-1, self.elements)

    def quantize(self, x):
        """Float frames -> codes [N, elements] in the tensor's own order."""
        x = self.frames(x).astype(np.float64)
        if self.scale is None:
            lo, hi = -(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1
            return np.clip(np.rint(x * 2.0 ** self.frac), lo, hi).astype(np.int64)
        zp = self._per_element(self.zero_point, self.elements)
        if self.bipolar:
            return np.where(x >= 0, 1, -1).astype(np.int64)
        qmin = -np.inf if self.qmin is None else self.qmin
        qmax = np.inf if self.qmax is None else self.qmax
        if self.index and (np.any(x != np.rint(x)) or np.any(x < qmin) or np.any(x > qmax)):
            raise ValueError("%s: token ids must be integers in [%d, %d]" % (self.name, qmin, qmax))
        if self.integer:
            q = np.clip(np.rint(x), qmin, qmax)
        else:
            s = self._per_element(self.scale, self.elements).astype(np.float32)
            q = np.clip(_round((x.astype(np.float32) / s).astype(np.float64), self.rounding)
                        + zp, qmin, qmax)
        return (q - zp).astype(np.int64)

    def dequantize(self, codes):
        """Codes [N, elements] (tensor order) -> float32 (integer outputs: q = c + zp)."""
        c = np.asarray(codes, dtype=np.int64).reshape(-1, self.elements)
        if self.scale is None:
            return (c * 2.0 ** -self.frac).astype(np.float32)
        if self.integer:
            return c + self._per_element(self.zero_point, self.elements).astype(np.int64)
        s = self._per_element(self.scale, self.elements)
        return (c.astype(np.float32) * s.astype(np.float32)).astype(np.float32)

    def to_stream(self, codes):
        c = np.asarray(codes, dtype=np.int64).reshape(-1, self.elements)
        return c[:, self.perm] if self.perm else c

    def from_stream(self, words):
        w = np.asarray(words, dtype=np.int64).reshape(-1, self.elements)
        if not self.perm:
            return w
        out = np.empty_like(w)
        out[:, self.perm] = w
        return out

    def pack_codes(self, codes):
        """Codes [N, elements] (tensor order) -> uint8 beats [N * beats, bytes_per_beat]."""
        words = self.to_stream(codes).reshape(-1, self.lanes)
        mask = (1 << self.bits) - 1
        out = np.zeros((words.shape[0], self.bytes_per_beat), dtype=np.uint8)
        for b, beat in enumerate(words):
            v = 0
            for e, c in enumerate(beat):
                v |= (int(c) & mask) << (e * self.bits)
            out[b] = np.frombuffer(v.to_bytes(self.bytes_per_beat, "little"), dtype=np.uint8)
        return out

    def unpack_codes(self, beats):
        """uint8 beats [N * beats, bytes_per_beat] -> codes [N, elements] (tensor order)."""
        beats = np.asarray(beats, dtype=np.uint8).reshape(-1, self.bytes_per_beat)
        mask, sign = (1 << self.bits) - 1, 1 << (self.bits - 1)
        words = []
        for beat in beats:
            v = int.from_bytes(beat.tobytes(), "little")
            for e in range(self.lanes):
                c = (v >> (e * self.bits)) & mask
                words.append(c - (1 << self.bits) if c & sign else c)
        return self.from_stream(np.array(words, dtype=np.int64))


class Design:
    """The ends of a compiled design, from OUT/host/io.json (or OUT/report.json)."""

    def __init__(self, path):
        with open(path) as f:
            d = json.load(f)
        self.top = d.get("top", "")
        self.inputs = [End(e) for e in d["inputs"]]
        self.outputs = [End(e) for e in d["outputs"]]
        self._by_name = {e.name: e for e in self.inputs + self.outputs}

    def end(self, name):
        if name not in self._by_name:
            raise KeyError("%r is not a graph input or output (have %s)"
                           % (name, sorted(self._by_name)))
        return self._by_name[name]

    def pack(self, name, x):
        e = self.end(name)
        return e.pack_codes(e.quantize(x))

    def unpack(self, name, beats):
        e = self.end(name)
        y = e.dequantize(e.unpack_codes(beats))
        return y.reshape([-1] + e.shape[1:]) if len(e.shape) > 1 else y
