"""The posts' unusual pieces, kept so a lesson can replay a post to the last digit.

Post 001 trains MNIST with a softmax whose backward keeps only the Jacobian's diagonal,
s(1 - s), and feeds it a *binary*-cross-entropy-shaped gradient while reporting the
categorical cross-entropy. Each piece is wrong on its own, but together they cancel:

    (-(y / s) + (1 - y) / (1 - s)) · s(1 - s) = -y(1 - s) + (1 - y)s = s - y,

so the pair back-propagates exactly the fused softmax + cross-entropy gradient (s - y) / n
(up to rounding, and the clip at eps for s within 1e-10 of 0 or 1). The post's run is a
correct run that differs from ``Softmax`` + ``CrossEntropy`` only in rounding. Pair either
piece with the correct other half (``DiagonalSoftmax`` + ``CrossEntropy``, or ``Softmax`` +
``PostCrossEntropy``) and the gradient is wrong — ``nnlib.check_model`` shows it.
"""

from __future__ import annotations

from .activations import Softmax
from .losses import CrossEntropy, _clipped


class DiagonalSoftmax(Softmax):
    """Softmax forward; backward multiplies by s(1 - s) only (post 001's shortcut).

    Wrong on its own: the true Jacobian is diag(s) - s sᵀ; the off-diagonal terms -s_i s_j
    are lost. Only ``PostCrossEntropy``'s gradient happens to make up for it."""

    def backward(self, grad, need_input_grad=True):
        s = self._cached_output(grad)
        return grad * (s * (1 - s))


class PostCrossEntropy(CrossEntropy):
    """Reports categorical cross-entropy -mean_rows(sum y log p) (clipped at eps, as the post),
    but its gradient is post 001's ``grad_cross_entropy``: (-(y/p) + (1-y)/(1-p)) / n with p
    clipped — the *binary* cross-entropy gradient applied to each of the k outputs. Times
    ``DiagonalSoftmax``'s s(1 - s) it becomes the right (p - y) / n."""

    fuses_with = None

    def _grad(self, pred, target):
        y = self._dense_target(target, pred)
        p = _clipped(pred, self.eps)  # as the post in float64; float32 stays finite
        return (-(y / p) + (1 - y) / (1 - p)) / y.shape[0]
