"""Random draws shared by the entry generators: amounts, VAT on them, accounts from a weighted mix
and the administration an entry belongs to.
"""

from __future__ import annotations

import numpy as np

from afas.emulator.demo.master import ACC_IX, VAT_BP, VAT_IX

__all__ = ["vat_of", "lognormal", "pick_mix", "random_units"]


def vat_of(net: np.ndarray, vat: np.ndarray) -> np.ndarray:
    """VAT in cents: round(net x rate, 2) half away from zero."""
    raw = np.abs(net) * VAT_BP[vat]
    return np.sign(net) * ((raw + 5000) // 10000)


def lognormal(
    rng: np.random.Generator, median: np.ndarray | int, sigma: np.ndarray | float, n: int, low: int, high: int
) -> np.ndarray:
    return np.clip(np.rint(median * np.exp(rng.normal(0.0, 1.0, n) * sigma)), low, high).astype(np.int64)


def pick_mix(
    rng: np.random.Generator, unit: np.ndarray, mix: dict[int, tuple[tuple[str, str, int], ...]]
) -> tuple[np.ndarray, np.ndarray]:
    """Account and VAT code per entry from the administration's weighted mix."""
    acc = np.zeros(len(unit), np.int64)
    vat = np.zeros(len(unit), np.int64)
    for u, options in mix.items():
        weights = np.array([o[2] for o in options], float)
        choice = rng.choice(len(options), len(unit), p=weights / weights.sum())
        sel = unit == u
        acc[sel] = np.array([ACC_IX[o[0]] for o in options])[choice[sel]]
        vat[sel] = np.array([VAT_IX[o[1]] for o in options])[choice[sel]]
    return acc, vat


def random_units(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.where(rng.random(n) < 0.7, 1, 2)
