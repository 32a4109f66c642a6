"""The posts' flawed pieces, kept so a lesson can show the bug next to the fix.

Post 001 trains MNIST with a softmax whose backward keeps only the Jacobian's diagonal,
s(1 - s), and feeds it a *binary*-cross-entropy-shaped gradient while reporting the
categorical cross-entropy. Both are mathematically wrong, yet the net still learns (the
wrong gradient mostly points the right way). Use ``DiagonalSoftmax`` with
``PostCrossEntropy`` to replay the post's run; use ``Softmax`` with ``CrossEntropy``
(fused gradient (s - y) / n) for the correct one.
"""

from __future__ import annotations

import numpy as np

from .activations import Softmax
from .losses import CrossEntropy


class DiagonalSoftmax(Softmax):
    """Softmax forward; backward multiplies by s(1 - s) only (post 001's shortcut).

    Wrong: the true Jacobian is diag(s) - s sᵀ; the off-diagonal terms -s_i s_j are lost."""

    def backward(self, grad, need_input_grad=True):
        s = self._cached_output(grad)
        return grad * (s * (1 - s))


class PostCrossEntropy(CrossEntropy):
    """Reports categorical cross-entropy -mean_rows(sum y log p) (clipped at eps, as the post),
    but its gradient is post 001's ``grad_cross_entropy``: (-(y/p) + (1-y)/(1-p)) / n with p
    clipped — the *binary* cross-entropy gradient applied to each of the k outputs."""

    fuses_with = None

    def _grad(self, pred, target):
        y = self._dense_target(target, pred)
        p = np.clip(pred, self.eps, 1 - self.eps)
        return (-(y / p) + (1 - y) / (1 - p)) / y.shape[0]
