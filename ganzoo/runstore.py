"""The run directory: how runs are laid out on disk, written and read.

    runs/<run-id>/
      config.json                everything needed to reproduce the run
      status.json                running / finished / failed, last step, last update
      metrics/part-NNNNNN.parquet   scalars, tidy rows (step, epoch, wall_time, name, value)
      diversity/part-NNNNNN.parquet mode-collapse statistics, the same rows plus what was
                                    measured (n_samples, reference, features)
      samples/step-NNNNNNNN.png  grids from a fixed z (samples/fixed_z.safetensors)
      checkpoints/step-NNNNNNNN.safetensors

Every file is written to a temporary name and renamed, so a reader never sees half a file
and a crash never leaves one. Users may read runs with pandas alone; see the README.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import RunError

SCALAR_SCHEMA = pa.schema([
    ("step", pa.int64()),
    ("epoch", pa.int32()),
    ("wall_time", pa.float64()),
    ("name", pa.string()),
    ("value", pa.float64()),
])
DIVERSITY_SCHEMA = pa.schema([
    *SCALAR_SCHEMA,
    ("n_samples", pa.int64()),
    ("reference", pa.string()),
    ("features", pa.string()),
])
SCHEMAS = {"metrics": SCALAR_SCHEMA, "diversity": DIVERSITY_SCHEMA}
_PART = re.compile(r"part-(\d+)\.parquet$")
_SAMPLE = re.compile(r"step-(\d+)\.png$")


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, obj: Any) -> None:
    atomic_write(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def resolve_run(root: str | Path, run: str | Path) -> Path:
    """The directory of ``run`` (an id, or a path) inside ``root``; never outside it."""
    root = Path(root).resolve()
    path = Path(run)
    path = (path if path.is_absolute() else root / path).resolve()
    if path != root and root not in path.parents:
        raise RunError(f"run '{run}' is outside the runs directory {root}; pass a run id "
                       f"from `ganzoo runs` or set --runs-dir")
    if not (path / "config.json").is_file():
        raise RunError(f"no run '{run}' in {root} (no config.json there); `ganzoo runs` lists them")
    return path


class RunWriter:
    """Writes one run. Scalars are buffered by the caller and written here a part at a time."""

    def __init__(self, path: Path, clean: bool = True):
        self.path = path
        # Temporary files of writes that a crash cut short; never read, safe to drop. Not by
        # a process that only watches a run another one writes (a distributed rank > 0).
        for tmp in path.glob("**/.*.tmp") if clean else ():
            tmp.unlink(missing_ok=True)
        self._next_part = {table: 1 + max((int(m.group(1)) for p in (path / table).glob("part-*.parquet")
                                           if (m := _PART.search(p.name))), default=0) for table in SCHEMAS}

    @classmethod
    def create(cls, root: Path, run_id: str, config: dict[str, Any]) -> RunWriter:
        root.mkdir(parents=True, exist_ok=True)
        path = root / run_id
        try:
            path.mkdir()  # never reuse a directory: an existing run is never overwritten
        except FileExistsError:
            raise RunError(f"run directory {path} already exists; pick another --name") from None
        for sub in (*SCHEMAS, "samples", "checkpoints"):
            (path / sub).mkdir()
        write_json(path / "config.json", config)
        writer = cls(path)
        writer.set_status("running", step=0)
        return writer

    def set_status(self, state: str, step: int, message: str = "") -> None:
        write_json(self.path / "status.json",
                   {"state": state, "step": step, "updated": time.time(), "message": message, "pid": os.getpid()})

    def write_rows(self, rows: dict[str, list], table: str = "metrics") -> None:
        """Write one Parquet part of ``table`` (metrics or diversity) from column lists."""
        if not rows["step"]:
            return
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pydict(rows, schema=SCHEMAS[table]), buf)
        atomic_write(self.path / table / f"part-{self._next_part[table]:06d}.parquet", buf.getvalue())
        self._next_part[table] += 1

    def truncate(self, after_step: int) -> int:
        """Drop rows with step > after_step (those logged after the checkpoint a resume
        starts from), so the resumed run writes them again exactly once. Returns rows dropped."""
        dropped = 0
        for part in sorted(p for table in SCHEMAS for p in (self.path / table).glob("part-*.parquet")):
            table = pq.read_table(part)
            keep = pc.less_equal(table["step"], after_step)
            n_keep = pc.sum(keep).as_py() or 0
            if n_keep == table.num_rows:
                continue
            dropped += table.num_rows - n_keep
            if n_keep == 0:
                part.unlink()
            else:
                buf = io.BytesIO()
                pq.write_table(table.filter(keep), buf)
                atomic_write(part, buf.getvalue())
        return dropped

    def write_sample_png(self, step: int, png: bytes) -> Path:
        path = self.path / "samples" / f"step-{step:08d}.png"
        atomic_write(path, png)
        return path


@dataclass
class Run:
    """A run on disk, for reading."""

    path: Path

    def __post_init__(self):
        self.path = Path(self.path)  # a str works too

    @property
    def id(self) -> str:
        return self.path.name

    def config(self) -> dict[str, Any]:
        return json.loads((self.path / "config.json").read_text())

    def status(self) -> dict[str, Any]:
        try:
            return json.loads((self.path / "status.json").read_text())
        except (OSError, ValueError):
            return {"state": "unknown", "step": 0, "updated": None, "message": ""}

    def parts(self, table: str = "metrics") -> list[Path]:
        return sorted((self.path / table).glob("part-*.parquet"))

    def read(self, table: str = "metrics", names: list[str] | None = None,
             columns: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
        """Rows of ``table`` (optionally only scalars ``names`` and only ``columns``), sorted
        by step, and a message for each part that could not be read (a copy cut short, say),
        which is left out rather than failing the whole read."""
        schema = SCHEMAS[table]
        columns = columns or schema.names
        filters = [("name", "in", names)] if names else None
        tables, problems = [], []
        for part in self.parts(table):
            try:
                tables.append(pq.read_table(part, columns=columns, filters=filters, schema=schema))
            except (OSError, pa.ArrowException) as e:
                problems.append(f"{part.relative_to(self.path)} is unreadable and was skipped ({e})")
        if not tables:
            return schema.empty_table().select(columns).to_pandas(), problems
        df = pa.concat_tables(tables).to_pandas()
        keys = [c for c in ("step", "name") if c in columns]
        return df.sort_values(keys, kind="stable").reset_index(drop=True) if keys else df, problems

    def _read(self, table: str, names: list[str] | None) -> pd.DataFrame:
        df, problems = self.read(table, names)
        if problems:
            raise RunError("; ".join(problems))
        return df

    def state(self, stale_after: float = 120.0) -> str:
        """running, finished, failed, or stale: marked running but silent for
        ``stale_after`` seconds (the process was killed, or the machine went down)."""
        st = self.status()
        if st["state"] == "running" and (st.get("updated") or 0) < time.time() - stale_after:
            return "stale"
        return st["state"]

    def scalars(self, names: list[str] | None = None) -> pd.DataFrame:
        """All scalar rows, sorted by step (tidy: step, epoch, wall_time, name, value)."""
        return self._read("metrics", names)

    def diversity(self, names: list[str] | None = None) -> pd.DataFrame:
        """Diversity statistics: scalar rows plus n_samples, reference and features."""
        return self._read("diversity", names)

    def wide(self, names: list[str] | None = None) -> pd.DataFrame:
        """Scalars pivoted to one row per step and one column per name."""
        df = self.scalars(names)
        return df.pivot_table(index="step", columns="name", values="value", aggfunc="last")

    def epoch_summary(self) -> pd.DataFrame:
        """Per-epoch means of every scalar: the seed notebooks' loss history."""
        df = self.scalars()
        return df.pivot_table(index="epoch", columns="name", values="value", aggfunc="mean")

    def samples(self) -> list[tuple[int, Path]]:
        """(step, path) of every sample grid, by step."""
        out = [(int(m.group(1)), p) for p in (self.path / "samples").glob("step-*.png")
               if (m := _SAMPLE.search(p.name))]
        return sorted(out)

    def checkpoints(self) -> list[Path]:
        return sorted((self.path / "checkpoints").glob("step-*.safetensors"))


def list_runs(root: str | Path) -> list[Run]:
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [Run(p) for p in root.iterdir() if (p / "config.json").is_file()]
    return sorted(runs, key=lambda r: (r.path / "config.json").stat().st_mtime)
