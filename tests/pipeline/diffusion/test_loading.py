"""Precision by device: half precision on CUDA (any index), full precision on the CPU and Apple's MPS with dtype
"auto"; an explicit dtype setting wins everywhere. No GPU needed: the function only reads the device's name."""

from __future__ import annotations

import pytest

from pipeline.image.diffusion import DiffusionConfig
from pipeline.image.diffusion.loading import resolve_dtype
from tests.diffusion_models import require_gpu_extra


@pytest.fixture(scope="module")
def torch():
    require_gpu_extra()
    import torch

    return torch


@pytest.mark.parametrize(("device", "expected"), [("cuda", "float16"), ("cuda:1", "float16"), ("cpu", "float32"),
                                                  ("mps", "float32")])  # fmt: skip
def test_auto_dtype_is_half_on_cuda_and_full_elsewhere(torch, device: str, expected: str) -> None:
    assert resolve_dtype(DiffusionConfig(model="m"), device) is getattr(torch, expected)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("device", ["cuda", "cuda:1", "cpu", "mps"])
def test_an_explicit_dtype_wins_on_every_device(torch, dtype: str, device: str) -> None:
    assert resolve_dtype(DiffusionConfig(model="m", dtype=dtype), device) is getattr(torch, dtype)
