"""KnDimCode: allocation codes (verbijzonderingscodes) of the allocation axes.

POST/PUT answer 201 without body (AFAS's example response is empty), DELETE 200. The codes show
up in Recon_AllocationCodes; a code in use by entries or allocation assignments is not deleted.
"""

from __future__ import annotations

from typing import Any

from afas.emulator.envelope import ParsedElement
from afas.emulator.update_context import Ctx, KeySteps, insert_row, key_values, update_rows

__all__ = ["delete_dim_code", "post_dim_code", "put_dim_code"]


def _dim_keys(ctx: Ctx, ax_value: Any, code: Any) -> tuple[int, str]:
    """(axis, code) of a KnDimCode element whose axis exists and is active."""
    if ax_value is None or not str(ax_value).strip():
        raise ctx.required("Allocation axis")
    if code is None or not str(code).strip():
        raise ctx.required("Allocation code")
    if not str(ax_value).strip().isdigit():
        raise ctx.not_exist("Allocation axis")
    axis = int(str(ax_value).strip())
    row = ctx.one("SELECT active FROM allocation_axis WHERE ax_id = ?", [axis])
    if row is None:
        raise ctx.not_exist("Allocation axis")
    if not row[0]:
        raise ctx.fail("axis_inactive", axis=axis)
    return axis, str(code).strip()


def _code_exists(ctx: Ctx, axis: int, code: str) -> bool:
    return ctx.one("SELECT 1 FROM allocation_code WHERE ax_id = ? AND code = ?", [axis, code]) is not None


def post_dim_code(ctx: Ctx, el: ParsedElement) -> None:
    """Create an allocation code."""
    axis, code = _dim_keys(ctx, el.key("AxId"), el.key("VbCo"))
    f = el.fields
    if f.get("Ds") is None:
        raise ctx.required("Description")
    if _code_exists(ctx, axis, code):
        raise ctx.fail("code_exists", code=code, axis=axis)
    insert_row(
        ctx,
        "allocation_code",
        {
            "ax_id": axis,
            "code": code,
            "description": f["Ds"],
            "selection": f.get("Re"),
            "track_qty": bool(f.get("QuYN")),
            "blocked": bool(f.get("Bl")),
            "created": ctx.now,
            "modified": ctx.now,
        },
    )


def put_dim_code(ctx: Ctx, el: ParsedElement) -> None:
    """Change the given fields of an existing allocation code."""
    axis, code = _dim_keys(ctx, el.key("AxId"), el.key("VbCo"))
    if not _code_exists(ctx, axis, code):
        raise ctx.not_exist("Allocation code")
    f = el.fields
    cols: dict[str, Any] = {}
    if "Ds" in f:
        if f["Ds"] is None:
            raise ctx.required("Description")
        cols["description"] = f["Ds"]
    if "Re" in f:
        cols["selection"] = f["Re"]
    if "QuYN" in f:
        cols["track_qty"] = bool(f["QuYN"])
    if "Bl" in f:
        cols["blocked"] = bool(f["Bl"])
    cols["modified"] = ctx.now
    update_rows(ctx, "allocation_code", cols, "ax_id = ? AND code = ?", [axis, code])


def delete_dim_code(ctx: Ctx, steps: KeySteps) -> None:
    """Delete an allocation code that no entry line or allocation assignment uses."""
    keys = key_values(steps)
    ax_text, code = (keys.get("axid") or "").strip(), (keys.get("vbco") or "").strip()
    if not ax_text:
        raise ctx.required("Allocation axis")
    if not code:
        raise ctx.required("Allocation code")
    if not ax_text.isdigit() or not _code_exists(ctx, int(ax_text), code):
        raise ctx.not_exist("Allocation code")
    axis = int(ax_text)
    used = None
    if 1 <= axis <= 5:
        used = ctx.one(f"SELECT 1 FROM entry_alloc WHERE dim{axis} = ? LIMIT 1", [code])
    if used is None:
        used = ctx.one(
            "SELECT 1 FROM allocation_assignment WHERE ax_id = ? AND code = ? LIMIT 1", [axis, code]
        )
    if used is not None:
        raise ctx.fail("code_in_use", code=code, axis=axis)
    ctx.cur.execute("DELETE FROM allocation_code WHERE ax_id = ? AND code = ?", [axis, code])
