"""ONNX converters of the package's estimators, for skl2onnx.

Each converter writes the prediction path of ``_forward.py`` as ONNX
operators, in the model's dtype (float32 or float64): the input transform,
the periodic embeddings (a block-diagonal product after ``Cos``), the front
scale folded into the first weight matrix, one ``MatMul`` + ``Add`` and an
activation per layer, and the outputs' decoding. Activations that the
operator set has with float32-only attributes (``Selu``, ``LeakyRelu``) or
in forms that overflow (``Softplus``) are written as exact compositions of
elementary operators, and float64 gelu as a series (onnxruntime's ``Erf`` is
float32 only), so float64 models keep their precision.

This module imports skl2onnx; ``onnx.py`` registers it lazily.
"""

import numpy as np
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    guess_proto_type,
)
from skl2onnx.proto import onnx_proto

from ._forward import first_weights

_SELU_SCALE = 1.0507009873554805
_SELU_ALPHA = 1.6732632423543772

_ERF_CLIP = 6.0
_ERF_SCALE = 32.0
# b_n * 32^n, n = 0..96: between 3e-7 and 9e11
_ERF_SERIES = np.cumprod([1.0] + [2.0 * _ERF_SCALE / (2 * n + 1) for n in range(1, 97)])


class _Graph:
    """Adds nodes and typed constants to a skl2onnx container."""

    def __init__(self, scope, container, proto_dtype):
        self.scope, self.container = scope, container
        self.proto = proto_dtype
        self.dtype = (
            np.float64 if proto_dtype == onnx_proto.TensorProto.DOUBLE else (np.float32)
        )

    def name(self, hint):
        return self.scope.get_unique_variable_name(hint)

    def const(self, value, hint="const", proto=None):
        value = np.asarray(value)
        proto = self.proto if proto is None else proto
        if proto == self.proto:
            value = value.astype(self.dtype)
        name = self.name(hint)
        self.container.add_initializer(name, proto, list(value.shape), value.ravel())
        return name

    def op(self, op_type, inputs, output=None, domain=None, **attrs):
        output = output or self.name(op_type.lower())
        kwargs = {"op_domain": domain} if domain else {}
        self.container.add_node(
            op_type,
            inputs,
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **kwargs,
            **attrs,
        )
        return output

    def softplus(self, z):
        """``max(z, 0) + log(1 + exp(-|z|))``, as the package computes it."""
        tail = self.op(
            "Log",
            [
                self.op(
                    "Add",
                    [
                        self.const(1.0),
                        self.op("Exp", [self.op("Neg", [self.op("Abs", [z])])]),
                    ],
                )
            ],
        )
        return self.op("Add", [self.op("Relu", [z]), tail])

    def erf(self, z):
        """``Erf`` in float32; in float64 (onnxruntime's ``Erf`` is float32
        only) the series ``2 / sqrt(pi) exp(-x^2) sum_n b_n x^(2n+1)``,
        ``b_n = 2^n / (1 3 5 ... (2n+1))``: positive terms, so no
        cancellation, summed by Horner's rule to ``n = 96`` and taken at ``x``
        clipped to [-6, 6], where ``erf`` is +-1 in float64 (at most 3e-15
        from scipy's ``erf`` on [-8, 8]). The sum runs in ``x^2 / 32`` so that
        every coefficient is a normal float32 number: onnxruntime's
        optimizer drops an ``Add`` whose constant is zero once cast to
        float32, whatever the graph's dtype."""
        if self.dtype == np.float32:
            return self.op("Erf", [z])
        x = self.op("Clip", [z, self.const(-_ERF_CLIP), self.const(_ERF_CLIP)])
        y = self.op("Mul", [x, x])
        u = self.op("Mul", [y, self.const(1.0 / _ERF_SCALE)])
        total = self.const(_ERF_SERIES[-1])
        for coefficient in _ERF_SERIES[-2::-1]:
            total = self.op(
                "Add", [self.op("Mul", [total, u]), self.const(coefficient)]
            )
        scale = self.op("Mul", [self.op("Exp", [self.op("Neg", [y])]), x])
        two_over_sqrt_pi = self.const(2.0 / np.sqrt(np.pi))
        return self.op("Mul", [self.op("Mul", [total, scale]), two_over_sqrt_pi])

    def activate(self, z, name, negative_slope):
        if name == "identity":
            return z
        simple = {"logistic": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}
        if name in simple:
            return self.op(simple[name], [z])
        if name == "softmax":
            return self.op("Softmax", [z], axis=-1)
        if name == "exp":
            cap = 80.0 if self.dtype == np.float32 else 690.0
            return self.op(
                "Exp", [self.op("Clip", [z, self.const(-cap), self.const(cap)])]
            )
        if name == "softplus":
            return self.softplus(z)
        negative = self.op("Min", [z, self.const(0.0)])
        if name == "leaky_relu":
            scaled = self.op("Mul", [negative, self.const(negative_slope)])
            return self.op("Add", [self.op("Relu", [z]), scaled])
        if name in ("elu", "selu"):
            expm1 = self.op("Sub", [self.op("Exp", [negative]), self.const(1.0)])
            alpha = 1.0 if name == "elu" else _SELU_ALPHA
            out = self.op(
                "Add",
                [self.op("Relu", [z]), self.op("Mul", [expm1, self.const(alpha)])],
            )
            if name == "selu":
                out = self.op("Mul", [out, self.const(_SELU_SCALE)])
            return out
        if name == "gelu":
            cdf = self.erf(self.op("Mul", [z, self.const(np.sqrt(0.5))]))
            cdf = self.op(
                "Mul", [self.op("Add", [cdf, self.const(1.0)]), self.const(0.5)]
            )
            return self.op("Mul", [z, cdf])
        if name == "silu":
            return self.op("Mul", [z, self.op("Sigmoid", [z])])
        if name == "mish":
            return self.op("Mul", [z, self.op("Tanh", [self.softplus(z)])])
        raise NotImplementedError(
            f"The ONNX converter has no activation {name!r}."
        )  # pragma: no cover


def _input_layer(graph, model, x):
    """The first layer's input: the robust transform and the embeddings."""
    if hasattr(model, "input_scale_"):
        x = graph.op(
            "Mul",
            [
                graph.op("Sub", [x, graph.const(model.input_center_)]),
                graph.const(model.input_scale_),
            ],
        )
        if model.input_clip is not None:
            ratio = graph.op("Div", [x, graph.const(float(model.input_clip))])
            denominator = graph.op(
                "Sqrt",
                [graph.op("Add", [graph.op("Mul", [ratio, ratio]), graph.const(1.0)])],
            )
            x = graph.op("Div", [x, denominator])
    if not hasattr(model, "embedding_coefs_"):
        return x
    features = np.asarray(model.embedded_features_, dtype=np.int64)
    m, k, d = model.embedding_coefs_.shape
    picked = graph.op(
        "Gather",
        [x, graph.const(features, "features", onnx_proto.TensorProto.INT64)],
        axis=1,
    )
    picked = graph.op(
        "Unsqueeze",
        [picked, graph.const(np.array([2]), "axes", onnx_proto.TensorProto.INT64)],
    )
    theta = graph.op(
        "Add",
        [
            graph.op(
                "Mul",
                [
                    picked,
                    graph.const(
                        2.0 * np.pi * model.embedding_frequencies_.astype(np.float64)
                    ),
                ],
            ),
            graph.const(model.embedding_phases_),
        ],
    )
    cosines = graph.op(
        "Reshape",
        [
            graph.op("Cos", [theta]),
            graph.const(np.array([-1, m * k]), "shape", onnx_proto.TensorProto.INT64),
        ],
    )
    blocks = np.zeros((m * k, m * d))
    for e in range(m):
        blocks[e * k : (e + 1) * k, e * d : (e + 1) * d] = model.embedding_coefs_[e]
    embedded = graph.op(
        "Add",
        [
            graph.op("MatMul", [cosines, graph.const(blocks)]),
            graph.const(model.embedding_intercepts_.ravel()),
        ],
    )
    return graph.op("Concat", [x, embedded], axis=1)


def _network(graph, model, x):
    """The output layer's activations of the fitted network for input ``x``."""
    a = _input_layer(graph, model, graph.op("Cast", [x], to=graph.proto))
    inputs = model._input_layer()
    weights = [first_weights(model.coefs_, inputs), *model.coefs_[1:]]
    names = model._activations(model.n_layers_)
    slope = model._negative_slope()
    for W, b, name in zip(weights, model.intercepts_, names):
        z = graph.op("Add", [graph.op("MatMul", [a, graph.const(W)]), graph.const(b)])
        a = graph.activate(z, name, slope)
    return a


def _classes(graph, classes):
    """The constant of the model's class labels (int64 or strings)."""
    if np.issubdtype(classes.dtype, np.integer) or classes.dtype == np.bool_:
        return graph.const(
            classes.astype(np.int64), "classes", onnx_proto.TensorProto.INT64
        )
    if np.issubdtype(classes.dtype, np.floating):
        raise NotImplementedError(
            "ONNX labels are integers or strings; this model's classes are floats."
        )
    values = np.array([str(c).encode("utf-8") for c in classes], dtype=object)
    return graph.const(values, "classes", onnx_proto.TensorProto.STRING)


def _labels_from_argmax(graph, scores, classes, output):
    classes_name = _classes(graph, classes)
    index = graph.op("ArgMax", [scores], axis=1, keepdims=0)
    graph.op("Gather", [classes_name, index], output, axis=0)


def _proto(operator):
    proto = guess_proto_type(operator.inputs[0].type)
    return (
        proto
        if proto == onnx_proto.TensorProto.DOUBLE
        else onnx_proto.TensorProto.FLOAT
    )


def convert_mlp_classifier(scope, operator, container):
    """skl2onnx converter of ``MLPClassifier``: labels and probabilities."""
    model = operator.raw_operator
    graph = _Graph(scope, container, _proto(operator))
    out = _network(graph, model, operator.inputs[0].full_name)
    label, proba = operator.outputs[0].full_name, operator.outputs[1].full_name
    kind = model._label_binarizer.y_type_
    if model.n_outputs_ == 1:
        graph.op(
            "Concat", [graph.op("Sub", [graph.const(1.0), out]), out], proba, axis=1
        )
    else:
        graph.op("Identity", [out], proba)
    if kind == "multilabel-indicator":
        above = graph.op("Greater", [out, graph.const(0.5)])
        graph.op("Cast", [above], label, to=onnx_proto.TensorProto.INT64)
    else:
        _labels_from_argmax(graph, proba, model.classes_, label)


def convert_mlp_regressor(scope, operator, container):
    """skl2onnx converter of ``MLPRegressor``: the unscaled, clipped and
    (for several quantile levels) sorted outputs."""
    model = operator.raw_operator
    graph = _Graph(scope, container, _proto(operator))
    out = _network(graph, model, operator.inputs[0].full_name)
    n_levels = model._n_levels()
    repeat = max(n_levels, 1)
    if hasattr(model, "target_mean_"):
        out = graph.op(
            "Mul", [out, graph.const(np.repeat(model.target_scale_, repeat))]
        )
        out = graph.op("Add", [out, graph.const(np.repeat(model.target_mean_, repeat))])
    if hasattr(model, "target_range_"):
        low, high = (np.repeat(r, repeat) for r in model.target_range_)
        out = graph.op(
            "Min", [graph.op("Max", [out, graph.const(low)]), graph.const(high)]
        )
    result = operator.outputs[0].full_name
    if n_levels:
        n_targets = model.n_outputs_ // n_levels
        shaped = graph.op(
            "Reshape",
            [
                out,
                graph.const(
                    np.array([-1, n_targets, n_levels]),
                    "shape",
                    onnx_proto.TensorProto.INT64,
                ),
            ],
        )
        k = graph.const(np.array([n_levels]), "k", onnx_proto.TensorProto.INT64)
        ordered = graph.op(
            "TopK",
            [shaped, k],
            [graph.name("sorted"), graph.name("order")],
            axis=2,
            largest=0,
        )[0]
        shape = [-1, n_levels] if n_targets == 1 else [-1, n_targets, n_levels]
        graph.op(
            "Reshape",
            [
                ordered,
                graph.const(np.array(shape), "shape", onnx_proto.TensorProto.INT64),
            ],
            result,
        )
    else:
        graph.op("Identity", [out], result)


def convert_perceptron(scope, operator, container):
    """skl2onnx converter of ``Perceptron``: labels and decision scores (two
    columns ``-s, s`` for binary problems, as skl2onnx writes linear models)."""
    model = operator.raw_operator
    graph = _Graph(scope, container, _proto(operator))
    x = graph.op("Cast", [operator.inputs[0].full_name], to=graph.proto)
    scores = graph.op(
        "Add",
        [
            graph.op("MatMul", [x, graph.const(np.asarray(model.coef_).T)]),
            graph.const(model.intercept_),
        ],
    )
    label, output = operator.outputs[0].full_name, operator.outputs[1].full_name
    if np.asarray(model.coef_).shape[0] == 1:
        scores = graph.op("Concat", [graph.op("Neg", [scores]), scores], axis=1)
    graph.op("Identity", [scores], output)
    _labels_from_argmax(graph, scores, model.classes_, label)


def calculate_regressor_output_shapes(operator):
    """One output, ``(N, n_outputs)``, or ``(N, targets, levels)`` for several
    quantile levels of several targets."""
    model = operator.raw_operator
    Type = (
        DoubleTensorType
        if isinstance(operator.inputs[0].type, DoubleTensorType)
        else (FloatTensorType)
    )
    n_levels = model._n_levels()
    n_targets = model.n_outputs_ // max(n_levels, 1)
    if n_levels and n_targets > 1:
        shape = [None, n_targets, n_levels]
    else:
        shape = [None, model.n_outputs_]
    operator.outputs[0].type = Type(shape)
