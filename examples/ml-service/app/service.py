"""Minimal inference service: GET /health, POST /predict (stdlib HTTP + numpy)."""

import json
import logging
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

MODEL_PATH = Path(os.environ.get("MODEL_PATH", Path(__file__).parent / "model" / "weights.json"))
PORT = int(os.environ.get("PORT", "8080"))
# Simulates a slow model load so the HEALTHCHECK start period is exercised.
WARMUP_SECONDS = float(os.environ.get("MODEL_WARMUP_SECONDS", "0"))
MAX_BODY_BYTES = 64 * 1024

log = logging.getLogger("ml-service")


class Model:
    def __init__(self, spec):
        self.name, self.version = spec["name"], spec["version"]
        self.features = list(spec["features"])
        self.weights = np.asarray(spec["weights"], dtype=np.float64)
        self.bias = float(spec["bias"])
        self.threshold = float(spec.get("threshold", 0.5))
        self.labels = spec.get("labels", ["0", "1"])
        if self.weights.shape != (len(self.features),):
            raise ValueError("weights and features differ in length")

    def predict(self, rows):
        x = np.asarray(rows, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.features):
            raise ValueError(f"expected rows of {len(self.features)} features: {self.features}")
        probs = 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))
        return [{"probability": round(float(p), 6), "label": self.labels[int(p >= self.threshold)]} for p in probs]

    def rows_from(self, payload):
        """Accepts {"features": [..] | {name: value}} or {"instances": [[..], ..]}."""
        if "instances" in payload:
            return payload["instances"]
        features = payload.get("features")
        if isinstance(features, dict):
            return [[features[name] for name in self.features]]
        return [features]


class State:
    model = None


def load_model():
    time.sleep(WARMUP_SECONDS)
    State.model = Model(json.loads(MODEL_PATH.read_text()))
    log.info("model %s %s loaded from %s", State.model.name, State.model.version, MODEL_PATH)


class Handler(BaseHTTPRequestHandler):
    server_version = "ml-service/1.0"

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
            return self._send(503, {"status": "loading"})
        self._send(200, {"status": "ok", "model": model.name, "version": model.version})

    def do_POST(self):
        if self.path != "/predict":
            return self._send(404, {"error": "not found"})
        model = State.model
        if model is None:
            return self._send(503, {"error": "model not loaded yet"})
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY_BYTES:
            return self._send(413 if length else 400, {"error": "send a JSON body up to 64 KiB"})
        try:
            payload = json.loads(self.rfile.read(length))
            predictions = model.predict(model.rows_from(payload))
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            return self._send(400, {"error": f"bad request: {err}"})
        self._send(200, {"model": model.name, "version": model.version, "predictions": predictions})

    def log_message(self, fmt, *args):
        if not self.path.startswith("/health"):  # keep health probes out of the logs
            log.info("%s %s", self.address_string(), fmt % args)


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    server.daemon_threads = True
    # shutdown() blocks until serve_forever() returns, so it must not run in the signal handler's thread.
    stop = lambda signum, _frame: threading.Thread(target=server.shutdown, name=f"stop-{signum}").start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=load_model, name="load-model", daemon=True).start()
    log.info("listening on :%d", PORT)
    server.serve_forever()
    server.server_close()
    log.info("stopped")


if __name__ == "__main__":
    main()
