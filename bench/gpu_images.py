"""How fast the diffusers backend draws panels on a GPU: full-size SDXL (base 1.0's UNet, VAE and both text
encoders, built from their configs with random weights on the GPU in fp16: nothing downloaded, nothing saved)
drawing 15 panels at 1024x1024 through the real DiffusersImageBackend, Turbo-like (4 steps, guidance 0) and full
(30 steps, guidance 5), with no character lock, with a reference (IP-Adapter SDXL-shaped random weights and a random
ViT-bigG image encoder) and with consistent self-attention. Prints seconds per panel and GPU utilisation per run.

    python bench/gpu_images.py [--panels 15] [--batch-size 5] [--runs turbo,full] [--locks none,reference,consistent]
    python bench/gpu_images.py --cpu-tiny     # the same code path on tiny random models on the CPU (a smoke test)
    python bench/gpu_images.py --check-loading  # the loading code on CUDA: dtype, memory savers, CPU offload

Needs torch (CUDA), diffusers, transformers, accelerate and safetensors. Without a CUDA GPU it says so and exits 0.
The last line is `gpu-bench turbo_s_per_panel=<s> full_s_per_panel=<s>` (no lock). Goal: 15 Turbo panels in 10 s
on one H100.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.image.base import PanelRequest  # noqa: E402
from pipeline.models import Character, StoryboardShot  # noqa: E402

RUNS = {"turbo": (4, 0.0), "full": (30, 5.0)}
TINY_RUNS = {"turbo": (2, 0.0), "full": (4, 5.0)}  # --cpu-tiny: the same calls, fewer steps (a smoke test)
CAST = {"Mia": Character("Mia", {"gender": "female", "age": "16"}, {"hair": "short black hair", "clothing": "red coat"}),
        "Joe": Character("Joe", {"gender": "male"}, {"clothing": "plaid shirt", "features": ["glasses"]}),
        "Ada": Character("Ada", {"gender": "female", "age": "70"}, {"hair": "grey bun", "clothing": "green dress"})}  # fmt: skip


class GpuSampler:
    """Samples the GPU's utilisation (nvidia-smi, else torch.cuda.utilization) in a thread while a run goes on."""

    def __init__(self, index: int, period: float = 0.2) -> None:
        self.index, self.period = index, period
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._smi = shutil.which("nvidia-smi")

    def _read(self) -> float | None:
        if self._smi:
            out = subprocess.run([self._smi, "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits",
                                  "-i", str(self.index)], capture_output=True, text=True, timeout=5)  # fmt: skip
            return float(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
        import torch

        try:
            return float(torch.cuda.utilization(self.index))
        except (RuntimeError, ModuleNotFoundError):
            return None

    def _loop(self) -> None:
        while not self._stop.is_set():
            value = self._read()
            if value is not None:
                self.samples.append(value)
            self._stop.wait(self.period)

    def __enter__(self) -> GpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.samples:
            return "gpu_util=n/a"
        return f"gpu_util_mean={statistics.mean(self.samples):.0f}% gpu_util_max={max(self.samples):.0f}%"


def requests(count: int, size: int, lock: str, reference: str) -> list[PanelRequest]:
    """`count` panels, three characters taking turns (a consistent batch gathers one character's shots)."""
    names = list(CAST)
    out = []
    for i in range(count):
        name = names[i % len(names)]
        shot = StoryboardShot(order=i + 1, scene_id=1, kind="dialogue", camera=("medium", "closeup", "long")[i % 3],
                              scene_description="", location="school rooftop", time="dusk", interior=False,
                              characters=(name,), text="…", duration=2.0, transition="cut", speaker=name,
                              emotion="happy")  # fmt: skip
        out.append(PanelRequest(shot=shot, characters=CAST, width=size, height=size, style="anime", seed=1000 + i,
                                lock=lock, references={n: reference for n in names}))  # type: ignore[arg-type]
    return out


def build(tiny: bool, device: str) -> tuple[Any, Any]:
    """The random SDXL pipeline and an IP-Adapter for it (weights in memory, ViT-bigG-shaped encoder)."""
    import torch

    from pipeline.image.diffusion import random_models
    from pipeline.image.diffusion.ip_adapter import ReferenceAdapter

    dtype = torch.float32 if tiny else torch.float16
    pipe = random_models.sd_pipeline(xl=True, full_size=not tiny, dtype=dtype, device=device)
    encoder, processor = random_models.vision_encoder(full_size=not tiny, dtype=dtype, device=device)
    flat = random_models.ip_adapter_state(pipe.unet, encoder.config.projection_dim)
    weights = {part: {k.split(".", 1)[1]: v.to(device) for k, v in flat.items() if k.startswith(part + ".")}
               for part in ("image_proj", "ip_adapter")}  # fmt: skip
    return pipe, ReferenceAdapter(weights, encoder, processor, label="random ip-adapter_sdxl-shaped weights")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-tiny", action="store_true", help="tiny random SDXL on the CPU: a smoke test")
    parser.add_argument("--check-loading", action="store_true",
                        help="load a saved tiny SDXL as COMICREEL_DIFFUSERS_MODEL does, on CUDA, with each memory saver")
    parser.add_argument("--panels", type=int, default=None, help="15 (--cpu-tiny: 6)")
    parser.add_argument("--batch-size", type=int, default=None, help="5 (--cpu-tiny: 3)")
    parser.add_argument("--runs", default="turbo,full")
    parser.add_argument("--locks", default="none,reference,consistent")
    args = parser.parse_args()
    count = args.panels or (6 if args.cpu_tiny else 15)
    batch_size = args.batch_size or (3 if args.cpu_tiny else 5)
    runs = TINY_RUNS if args.cpu_tiny else RUNS
    try:
        import torch

        from pipeline.image.diffusion import DiffusersImageBackend, DiffusionConfig
    except ImportError as exc:
        print(f"gpu-bench: needs torch and diffusers (pip install -e '.[gpu]'): {exc}")
        return 0
    if args.check_loading:
        return check_loading()
    if not args.cpu_tiny and not torch.cuda.is_available():
        print("gpu-bench: no CUDA GPU available; nothing measured (--cpu-tiny runs the same code on tiny models)")
        return 0
    warnings.filterwarnings("ignore")  # random weights in fp16 overflow to NaN pixels: the timing is what counts
    device = "cpu" if args.cpu_tiny else "cuda"
    if args.cpu_tiny:
        torch.set_num_threads(1)  # tiny models: nothing to split across threads
    else:
        print(f"gpu-bench: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    started = time.perf_counter()
    pipe, adapter = build(args.cpu_tiny, device)
    size = 64 if args.cpu_tiny else 1024
    print(f"gpu-bench: built random {'tiny' if args.cpu_tiny else 'full-size'} SDXL in "
          f"{time.perf_counter() - started:.1f} s; {count} panels at {size}x{size}, batch {batch_size}")
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as work:
        reference = str(Path(work, "reference.png"))
        from PIL import Image

        Image.new("RGB", (size, size), (180, 90, 60)).save(reference)
        for run in args.runs.split(","):
            steps, guidance = runs[run]
            for lock in args.locks.split(","):
                config = DiffusionConfig(model="random-sdxl", final_steps=steps, final_guidance=guidance,
                                         final_size=size, batch_size=batch_size)  # fmt: skip
                backend = DiffusersImageBackend(config, pipeline=pipe, adapter=adapter)
                batch = requests(count, size, lock, reference)
                paths = [str(Path(work, f"{run}-{lock}-{i}.png")) for i in range(len(batch))]
                # first calls pick kernels and allocate (for a whole batch): not timed
                warm = next(iter(backend.draw_many(batch[:batch_size], paths[:batch_size])))
                if device == "cuda":
                    torch.cuda.synchronize()
                    torch.cuda.reset_peak_memory_stats()
                with GpuSampler(0) if device == "cuda" else _NoSampler() as sampler:
                    tick = time.perf_counter()
                    panels = list(backend.draw_many(batch, paths))
                    if device == "cuda":
                        torch.cuda.synchronize()
                    seconds = time.perf_counter() - tick
                per_panel = seconds / len(panels)
                memory = f" peak_mem={torch.cuda.max_memory_allocated() / 2**30:.1f}GiB" if device == "cuda" else ""
                methods = sorted({p.params["lock_method"] for p in panels})
                print(f"{run:5s} steps={steps:2d} guidance={guidance:g} lock={lock:10s} ({','.join(methods)}) "
                      f"panels={len(panels)} total={seconds:.2f}s s_per_panel={per_panel:.3f} "
                      f"{sampler.summary()}{memory} size={warm.params['width']}x{warm.params['height']}")
                if lock == "none":
                    figures[run] = per_panel
    print("gpu-bench " + " ".join(f"{run}_s_per_panel={figures[run]:.3f}" if run in figures else f"{run}_s_per_panel=n/a"
                                  for run in RUNS))  # fmt: skip
    return 0


def check_loading() -> int:
    """The real loading path on the GPU (what the CPU tests cannot show): a tiny random SDXL saved as a diffusers
    folder and loaded from it with the default dtype (auto: float16 on CUDA), then drawn with no memory saver, with
    attention slicing and VAE tiling, and with model CPU offload, plain and with consistent self-attention."""
    import torch

    from pipeline.image.diffusion import DiffusersImageBackend, DiffusionConfig, random_models

    if not torch.cuda.is_available():
        print("gpu-check: no CUDA GPU available; nothing checked")
        return 0
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        random_models.sd_pipeline(xl=True).save_pretrained(Path(work, "tiny-sdxl"))
        memory_savers: list[dict[str, Any]] = [{}, {"attention_slicing": True, "vae_tiling": True}, {"cpu_offload": True}]
        for savers in memory_savers:
            config = DiffusionConfig(model=str(Path(work, "tiny-sdxl")), final_steps=4, final_guidance=5.0,
                                     final_size=256, batch_size=2, **savers)  # fmt: skip
            backend = DiffusersImageBackend(config)
            for lock in ("none", "consistent"):
                torch.cuda.reset_peak_memory_stats()
                batch = requests(4, 256, lock, "")
                paths = [str(Path(work, f"{lock}-{len(savers)}-{i}.png")) for i in range(len(batch))]
                panels = list(backend.draw_many(batch, paths))
                unet = backend.loaded().pipe.unet
                where = {str(p.device) for p in unet.parameters()}
                ok = len(panels) == 4 and all(Path(p.path).stat().st_size > 0 for p in panels)
                ok = ok and unet.dtype == torch.float16 and panels[0].params["dtype"] == "float16"
                ok = ok and where == ({"cpu"} if savers.get("cpu_offload") else {"cuda:0"})  # offload: rests on the CPU
                failures += not ok
                print(f"gpu-check {'ok' if ok else 'FAILED'}: savers={savers or 'none'} lock={lock} panels={len(panels)} "
                      f"unet={unet.dtype} on {sorted(where)} executes on {backend.loaded().pipe._execution_device} "
                      f"params_dtype={panels[0].params.get('dtype')} "
                      f"peak_mem={torch.cuda.max_memory_allocated() / 2**20:.0f}MiB")
            del backend, unet, panels
            torch.cuda.empty_cache()
    print(f"gpu-check {'passed' if not failures else f'{failures} FAILED'}")
    return 1 if failures else 0


class _NoSampler:
    def __enter__(self) -> _NoSampler:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def summary(self) -> str:
        return "gpu_util=n/a (cpu)"


if __name__ == "__main__":
    sys.exit(main())
