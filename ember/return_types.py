"""Named tuple results (``torch.return_types``): ``values, indices = x.max(0)``.

Each type is a tuple subclass with read-only fields, printed as PyTorch prints its
structseqs (``ember.return_types.max(\\nvalues=tensor(...),\\nindices=tensor(...))``).
"""

from __future__ import annotations

import operator


class _StructSeq(tuple):
    __slots__ = ()
    _fields: tuple = ()

    def __new__(cls, *items):
        """``max((values, indices))`` as PyTorch's structseqs, or ``max(values, indices)``."""
        return tuple.__new__(cls, items[0] if len(items) == 1 else items)

    @property
    def n_fields(self) -> int:
        return len(self._fields)

    n_sequence_fields = n_fields

    @property
    def n_unnamed_fields(self) -> int:
        return 0

    def __repr__(self) -> str:
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"ember.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _define(name: str, fields: tuple) -> type:
    namespace = {"__slots__": (), "_fields": fields, "__module__": __name__, "__qualname__": name}
    for i, field in enumerate(fields):
        namespace[field] = property(operator.itemgetter(i))
    return type(name, (_StructSeq,), namespace)


_VI = ("values", "indices")
max = _define("max", _VI)
min = _define("min", _VI)
median = _define("median", _VI)
nanmedian = _define("nanmedian", _VI)
mode = _define("mode", _VI)
cummax = _define("cummax", _VI)
cummin = _define("cummin", _VI)
sort = _define("sort", _VI)
topk = _define("topk", _VI)
kthvalue = _define("kthvalue", _VI)
aminmax = _define("aminmax", ("min", "max"))
slogdet = _define("slogdet", ("sign", "logabsdet"))
linalg_slogdet = _define("linalg_slogdet", ("sign", "logabsdet"))
linalg_inv_ex = _define("linalg_inv_ex", ("inverse", "info"))
linalg_cholesky_ex = _define("linalg_cholesky_ex", ("L", "info"))
qr = _define("qr", ("Q", "R"))
linalg_qr = _define("linalg_qr", ("Q", "R"))
svd = _define("svd", ("U", "S", "V"))
linalg_svd = _define("linalg_svd", ("U", "S", "Vh"))
linalg_eigh = _define("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_lstsq = _define("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_solve_ex = _define("linalg_solve_ex", ("result", "info"))
