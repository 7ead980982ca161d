"""`make bench-images`: one 12 MP camera JPEG (EXIF with GPS) through the photo pipeline.

Every measurement runs in a fresh subprocess so its peak RSS (ru_maxrss) is honest; each is
repeated and the median time is reported. Steps measured with Pillow (the production path):

  validate  - what the upload request does synchronously (header pixel check, verify, decode, placeholder)
  render    - what the Celery task does (orient, strip metadata, sRGB, 400/960/1600 px WebP + JPEG, placeholder)
  pipeline  - validate + render + writing the six files

If pyvips imports (PyPI pyvips + Debian libvips42; this script installs nothing), the same six
renditions are made with pyvips thumbnail (autorotate, metadata stripped) and the ratios printed.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (400, 960, 1600)
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SIZE = (4032, 3024)  # 12.2 MP, a phone camera's default


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the test photo -------------------------------------------------------------------


def make_camera_jpeg(path: Path) -> None:
    from PIL import Image

    w, h = SIZE
    noise = Image.effect_noise((w, h), 48)
    gradient = Image.linear_gradient("L").resize((w, h))
    mandel = Image.effect_mandelbrot((w, h), (-2.0, -1.2, 1.0, 1.2), 60)
    img = Image.merge("RGB", (gradient, mandel, noise))
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15"
    exif[0x0131] = "17.1"
    exif[0x0132] = "2026:11:26 09:41:00"
    exif[0x0112] = 6  # rotated: the pipeline must auto-orient
    exif[0x8769] = {0x829A: (1, 120), 0x829D: (18, 10), 0x8827: 64, 0x9003: "2026:11:26 09:41:00", 0x920A: (57, 10)}
    exif[0x8825] = {1: "N", 2: (35.0, 40.0, 12.5), 3: "W", 4: (97.0, 30.0, 1.25), 5: b"\x00", 6: 350.0}
    img.save(path, "JPEG", quality=92, exif=exif)


# --- children (one measurement each) ------------------------------------------------------


def child_pillow(step: str, src: Path, out: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kei_community.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kei_community.media.processing import render
    from kei_community.media.validation import validate_photo_upload

    data = src.read_bytes()
    base = rss_mib()
    t0 = time.perf_counter()
    if step in ("validate", "pipeline"):
        validate_photo_upload(SimpleUploadedFile("IMG_0001.JPG", data, content_type="image/jpeg"))
    if step in ("render", "pipeline"):
        rendered = render(data)
        if step == "pipeline":
            for w, files in rendered.files.items():
                (out / f"{w}.webp").write_bytes(files["webp"])
                (out / f"{w}.jpg").write_bytes(files["jpeg"])
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "peak_rss_mib": rss_mib(), "baseline_rss_mib": base}


def child_vips(step: str, src: Path, out: Path) -> dict:
    import pyvips

    def without_metadata(im):  # type: ignore[no-untyped-def]
        im = im.copy()
        for name in im.get_fields():
            if name.startswith("exif") or name in ("xmp-data", "icc-profile-data", "iptc-data", "orientation"):
                im.remove(name)
        return im

    base = rss_mib()
    t0 = time.perf_counter()
    # Like the Pillow path: decode once (shrink-on-load, autorotate), then step down 1600 -> 960 -> 400.
    largest = max(WIDTHS)
    big = without_metadata(pyvips.Image.thumbnail(str(src), largest, height=100_000, size="down")).copy_memory()
    for w in sorted(WIDTHS, reverse=True):
        thumb = big if w == largest else big.thumbnail_image(w, height=100_000)
        thumb.webpsave(str(out / f"{w}.webp"), Q=80, strip=True)
        thumb.jpegsave(str(out / f"{w}.jpg"), Q=82, strip=True, optimize_coding=True, interlace=True)
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "peak_rss_mib": rss_mib(), "baseline_rss_mib": base}


def run_child(engine: str, step: str, src: Path) -> dict:
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", engine, step, str(src), out],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "DJANGO_ENV": "development"},
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{engine}/{step} failed:\n{proc.stderr[-2000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if engine == "pyvips" or step == "pipeline":
            result["outputs_clean"] = check_outputs(Path(out))
        return result


def check_outputs(out: Path) -> str:
    """ "clean" (no EXIF at all, upright), "no GPS, minimal EXIF", or what is wrong."""
    from PIL import Image

    verdict = "clean"
    for path in sorted(out.iterdir()):
        with Image.open(path) as img:
            exif = img.getexif()
            if exif.get_ifd(0x8825) or 0x010F in exif:
                return f"NO: GPS/camera EXIF in {path.name}"
            if img.height <= img.width:
                return f"NO: {path.name} not auto-oriented"
            if len(exif) or "exif" in img.info or "xmp" in img.info:
                verdict = "no GPS, minimal EXIF left"
    return verdict


def measure(engine: str, step: str, src: Path) -> dict:
    runs = [run_child(engine, step, src) for _ in range(RUNS)]
    return {
        "engine": engine,
        "step": step,
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "delta_rss_mib": max(r["peak_rss_mib"] - r["baseline_rss_mib"] for r in runs),
        "clean": runs[-1].get("outputs_clean", "-"),
    }


def vips_available() -> tuple[bool, str]:
    proc = subprocess.run(
        [sys.executable, "-c", "import pyvips; print(pyvips.version(0), pyvips.version(1), pyvips.version(2))"],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return False, (proc.stderr.strip().splitlines() or ["import failed"])[-1]
    return True, "libvips " + ".".join(proc.stdout.split())


def main() -> None:
    import PIL

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "IMG_0001.JPG"
        make_camera_jpeg(src)
        mp = SIZE[0] * SIZE[1] / 1e6
        print(
            f"Test photo: {SIZE[0]}x{SIZE[1]} ({mp:.1f} MP) JPEG, {src.stat().st_size / 1e6:.1f} MB, "
            "EXIF with GPS, orientation 6"
        )
        print(f"Pillow {PIL.__version__}; {RUNS} runs per row, each in a fresh process (median time, max peak RSS)")
        print()
        rows = [measure("pillow", step, src) for step in ("validate", "render", "pipeline")]
        ok, version = vips_available()
        if ok:
            rows.append(measure("pyvips", "render", src))
        print("| engine | step | time per photo (s) | peak RSS (MiB) | RSS above idle process (MiB) | outputs |")
        print("|---|---|---:|---:|---:|---|")
        for r in rows:
            clean = r["clean"]
            print(
                f"| {r['engine']} | {r['step']} | {r['seconds']:.3f} | {r['peak_rss_mib']:.0f} | "
                f"{r['delta_rss_mib']:.0f} | {clean} |"
            )
        print()
        if ok:
            pil, vips = rows[1], rows[-1]
            print(f"pyvips ({version}) makes the same six renditions:")
            print(f"  time:  Pillow/pyvips = {pil['seconds'] / vips['seconds']:.2f}x")
            print(f"  memory above idle: Pillow/pyvips = {pil['delta_rss_mib'] / max(vips['delta_rss_mib'], 1.0):.2f}x")
            print(f"  peak RSS: Pillow/pyvips = {pil['peak_rss_mib'] / vips['peak_rss_mib']:.2f}x")
        else:
            print(
                f"pyvips is NOT available ({version}); no comparison. "
                "To compare: apt-get install libvips42 && .venv/bin/pip install pyvips"
            )
        load = os.getloadavg()[0]
        print(f"(machine: {os.cpu_count()} CPUs, load average {load:.1f} at the end; times are noisy when busy)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, engine, step, src, out = sys.argv
        fn = child_pillow if engine == "pillow" else child_vips
        print(json.dumps(fn(step, Path(src), Path(out))))
    else:
        main()
