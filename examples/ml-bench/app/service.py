"""Digit classifier service: GET /health, POST /predict (stdlib HTTP, onnxruntime).

The model is loaded in a background thread; /health answers 503 until it is loaded and has
passed its self-check (the ONNX model and the scikit-learn pipeline it was converted from give
the reference labels recorded at training time), then 200.
"""

import json
import logging
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import joblib
import numpy as np
import onnxruntime as ort

MODEL_DIR = Path(os.environ.get("MODEL_DIR", "/opt/model"))
PORT = int(os.environ.get("PORT", "8080"))
MAX_BODY_BYTES = 256 * 1024
MAX_ROWS = 256

log = logging.getLogger("ml-bench")


class Model:
    def __init__(self, directory):
        self.spec = json.loads((directory / "model.json").read_text())
        self.name, self.version = self.spec["name"], self.spec["version"]
        self.features = int(self.spec["features"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("MODEL_THREADS", "1"))
        self.session = ort.InferenceSession(
            str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.input_name = self.session.get_inputs()[0].name
        self.reference = joblib.load(directory / "model.joblib")

    def self_check(self):
        rows = np.asarray(self.spec["reference_rows"], dtype=np.float32)
        expected = self.spec["reference_labels"]
        onnx_labels = [int(v) for v in self.predict(rows)["labels"]]
        sklearn_labels = [int(v) for v in self.reference.predict(rows)]
        if onnx_labels != expected or sklearn_labels != expected:
            raise RuntimeError(
                f"self-check failed: expected {expected}, ONNX {onnx_labels}, scikit-learn {sklearn_labels}"
            )

    def predict(self, rows):
        x = np.asarray(rows, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.features or not 0 < x.shape[0] <= MAX_ROWS:
            raise ValueError(f"send 1 to {MAX_ROWS} rows of {self.features} pixel values (0-16)")
        labels, probabilities = self.session.run(None, {self.input_name: x})
        return {"labels": labels.tolist(), "probabilities": np.round(probabilities.astype(np.float64), 6).tolist()}


class State:
    model = None
    error = None


def load_model():
    try:
        model = Model(MODEL_DIR)
        model.self_check()
        State.model = model
        log.info("model %s %s loaded from %s", model.name, model.version, MODEL_DIR)
    except Exception as err:  # reported by /health, which then never turns healthy
        State.error = f"{type(err).__name__}: {err}"
        log.exception("model failed to load")


class Handler(BaseHTTPRequestHandler):
    server_version = "ml-bench/1.0"

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path != "/health":
            return self._send(404, {"error": "not found"})
        model = State.model
        if model is None:
            status = "failed" if State.error else "loading"
            return self._send(503, {"status": status, "error": State.error})
        self._send(
            200,
            {
                "status": "ok",
                "model": model.name,
                "version": model.version,
                "accuracy": model.spec["accuracy"],
            },
        )

    def do_POST(self):
        if self.path != "/predict":
            return self._send(404, {"error": "not found"})
        model = State.model
        if model is None:
            return self._send(503, {"error": "model not loaded yet"})
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY_BYTES:
            return self._send(413 if length else 400, {"error": "send a JSON body up to 256 KiB"})
        try:
            payload = json.loads(self.rfile.read(length))
            result = model.predict(payload["instances"])
        except (ValueError, KeyError, TypeError) as err:
            return self._send(400, {"error": f"bad request: {err}"})
        self._send(200, {"model": model.name, "version": model.version, **result})

    def log_message(self, fmt, *args):
        if not self.path.startswith("/health"):  # keep health probes out of the logs
            log.info("%s %s", self.address_string(), fmt % args)


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    threading.Thread(target=load_model, daemon=True).start()
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log.info("listening on :%d", PORT)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
