"""Trains the digit classifier the service ships and writes it in two forms.

Runs in the image's builder stage: scikit-learn's bundled digits data set (8x8 images, no
download), a StandardScaler + MLPClassifier pipeline, then
  model.onnx     the pipeline converted with skl2onnx (what /predict runs, on onnxruntime)
  model.joblib   the scikit-learn pipeline itself (the service checks the ONNX copy against it)
  model.json     name, version, accuracy on the held-out split and reference rows with their labels
"""

import hashlib
import json
import sys
from pathlib import Path

import joblib
import numpy as np
import onnxruntime as ort
import sklearn
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

MIN_ACCURACY = 0.95


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    digits = load_digits()
    x = digits.data.astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=0.25, random_state=7, stratify=digits.target
    )
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(256, 128), max_iter=400, random_state=7),
    )
    model.fit(x_train, y_train)
    accuracy = float(model.score(x_test, y_test))
    if accuracy < MIN_ACCURACY:
        sys.exit(f"held-out accuracy {accuracy:.3f} is below {MIN_ACCURACY}: not shipping this model")

    onnx_model = to_onnx(model, x_train[:1], options={id(model): {"zipmap": False}}, target_opset=17)
    onnx_bytes = onnx_model.SerializeToString()
    (out / "model.onnx").write_bytes(onnx_bytes)
    joblib.dump(model, out / "model.joblib", compress=3)

    # The converted model must agree with the fitted one before it is shipped.
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    onnx_labels = session.run(None, {input_name: x_test})[0]
    agreement = float(np.mean(onnx_labels == model.predict(x_test)))
    if agreement < 0.99:
        sys.exit(f"the ONNX model agrees with scikit-learn on only {agreement:.3f} of the test rows")

    reference = x_test[:16]
    spec = {
        "name": "digits-mlp",
        "version": hashlib.sha256(onnx_bytes).hexdigest()[:12],
        "features": int(x.shape[1]),
        "classes": [int(c) for c in model.classes_],
        "accuracy": round(accuracy, 4),
        "onnx_agreement": round(agreement, 4),
        "sklearn": sklearn.__version__,
        "onnxruntime": ort.__version__,
        "reference_rows": reference.tolist(),
        "reference_labels": [int(v) for v in model.predict(reference)],
    }
    (out / "model.json").write_text(json.dumps(spec))
    print(
        f"digits-mlp {spec['version']}: accuracy {accuracy:.4f}, ONNX agreement {agreement:.4f}, "
        f"{len(onnx_bytes)} bytes of ONNX"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/model"))
