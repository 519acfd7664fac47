"""Rate and channel conversion between the wire format (24 kHz mono int16) and whatever the device opened at.

Streaming soxr resamplers (state carried across chunks, so no clicks at chunk edges) plus down/up-mixing.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import soxr

from ..protocol.codecs import AudioFormat, sample_rate, to_pcm16_samples

Int16Array = npt.NDArray[np.int16]
Quality = Literal["QQ", "LQ", "MQ", "HQ", "VHQ"]


class StreamResampler:
    """Mono int16 at `in_rate` → mono int16 at `out_rate`, one chunk at a time.

    soxr keeps a few milliseconds of input to filter across chunk edges: call `drain()` at the end of a stream
    (a response, a recording) to get that tail, and `reset()` to throw it away (after an interrupt).
    With equal rates every call returns its input unchanged.
    """

    def __init__(self, in_rate: int, out_rate: int, *, quality: Quality = "HQ") -> None:
        self.in_rate = in_rate
        self.out_rate = out_rate
        self._stream: soxr.ResampleStream | None = (
            None if in_rate == out_rate else soxr.ResampleStream(in_rate, out_rate, 1, dtype="int16", quality=quality)
        )
        self._pending = False  # True when soxr may hold input not yet returned

    @property
    def passthrough(self) -> bool:
        return self._stream is None

    def process(self, samples: Int16Array) -> Int16Array:
        """Resample the next chunk; the output length varies by a sample or so around len·out/in."""
        if self._stream is None or len(samples) == 0:
            return samples
        self._pending = True
        out: Int16Array = self._stream.resample_chunk(np.ascontiguousarray(samples, dtype=np.int16))
        return out

    def drain(self) -> Int16Array:
        """The held-back tail of the stream; the resampler is ready for a new stream afterwards."""
        if self._stream is None or not self._pending:
            return np.zeros(0, dtype=np.int16)
        tail: Int16Array = self._stream.resample_chunk(np.zeros(0, dtype=np.int16), last=True)
        self.reset()
        return tail

    def reset(self) -> None:
        """Forget buffered input (after an interrupt) so the next stream starts clean."""
        if self._stream is not None and self._pending:
            self._stream.clear()
        self._pending = False


def downmix(block: npt.NDArray[np.int16]) -> Int16Array:
    """Mono int16 for a (frames, channels) or 1-D int16 block: the mean of the channels."""
    if block.ndim == 1:
        return block
    if block.shape[1] == 1:
        return np.array(block[:, 0], dtype=np.int16)
    return np.asarray(block.mean(axis=1, dtype=np.float32).round(), dtype=np.int16)


def upmix_into(mono: Int16Array, out: npt.NDArray[np.int16]) -> None:
    """Write a mono block into every channel of `out` (frames, channels) without allocating."""
    if out.ndim == 1:
        out[:] = mono
    else:
        out[:] = mono[:, None]


def decode_to_pcm16(data: bytes, fmt: AudioFormat) -> tuple[Int16Array, int]:
    """int16 samples and their rate for wire bytes: G.711 is decoded here, before anything is buffered."""
    return to_pcm16_samples(data, fmt), sample_rate(fmt)


def rms_dbfs(rms: float) -> float:
    """dBFS of a linear RMS in [0, 1] (−120 for digital silence)."""
    return 20.0 * float(np.log10(max(rms, 1e-6)))
