"""nnlib — a small, correct, fast pure-NumPy neural-network library for teaching.

>>> import nnlib as nn
>>> model = nn.Sequential(nn.Dense(2, 16, init="he", rng=0), nn.ReLU(), nn.Dense(16, 1, rng=1), nn.Sigmoid())
>>> opt = nn.SGD(model, lr=0.5)
>>> for record in nn.train(model, nn.BinaryCrossEntropy(), opt, x, y, epochs=100, batch_size=32, rng=0):
...     print(record.epoch, record.loss)
"""

from . import features, landscape, schedules
from .activations import (
    ACTIVATIONS,
    Activation,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
    sigmoid,
    softmax,
)
from .gradcheck import check_layer, check_loss, check_model, check_model_detail, numerical_grad, rel_error
from .io import copy_model, load, save
from .layers import Dense, Dropout, Layer
from .legacy import DiagonalSoftmax, PostCrossEntropy
from .losses import MSE, BinaryCrossEntropy, CrossEntropy, Loss, SoftmaxCrossEntropy
from .metrics import accuracy, confusion_matrix, precision_recall, predicted_class, true_class
from .model import Sequential
from .optim import SGD, Adam, Optimizer, make_optimizer
from .train import DivergenceError, Record, TrainState, train

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "Activation", "Identity", "LeakyReLU", "ReLU", "Sigmoid", "Softmax", "Tanh",
    "get_activation", "sigmoid", "softmax", "check_layer", "check_loss", "check_model",
    "check_model_detail", "numerical_grad", "rel_error", "copy_model", "load", "save", "Dense",
    "Dropout", "Layer", "DiagonalSoftmax", "PostCrossEntropy", "MSE", "BinaryCrossEntropy", "CrossEntropy",
    "Loss", "SoftmaxCrossEntropy", "accuracy", "confusion_matrix", "precision_recall",
    "predicted_class", "true_class", "Sequential", "SGD", "Adam", "Optimizer", "make_optimizer",
    "DivergenceError", "Record", "TrainState", "train", "features", "landscape", "schedules", "__version__",
]
