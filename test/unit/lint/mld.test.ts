/**
 * The MLD catalog, rule by rule: at least three inputs that must fire and three that must not,
 * several of them the seeds' own Dockerfiles (test/fixtures/lint/seeds).
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { lintSource, type VirtualContext } from '../../../src/lint/index.js'
import { fixturesDir } from './helpers.js'

const MiB = 1024 * 1024

function seed(n: string): string {
  return readFileSync(join(fixturesDir, 'seeds', n, 'Dockerfile'), 'utf8')
}
function seedIgnore(n: string): string {
  return readFileSync(join(fixturesDir, 'seeds', n, '.dockerignore'), 'utf8')
}

/** files: path -> size in bytes, or text content */
function ctx(files: Record<string, number | string>, dockerignore?: string): VirtualContext {
  return {
    files: Object.entries(files).map(([path, v]) =>
      typeof v === 'number' ? { path, size: v } : { path, size: v.length, content: v }
    ),
    dockerignore
  }
}

interface Case {
  name: string
  df: string
  context?: VirtualContext
  fires: boolean
  /** expected line of the (first) finding */
  line?: number
}

const PY = 'FROM python:3.11-slim\nWORKDIR /app\n'
const APP = { 'app.py': 100, 'requirements.txt': 'flask==3.0.0\n' }

const CASES: Record<string, Case[]> = {
  MLD001: [
    {
      name: 'COPY . . without .dockerignore',
      df: PY + 'COPY . .\n',
      context: ctx(APP),
      fires: true,
      line: 3
    },
    {
      name: 'seed 001 without its .dockerignore',
      df: seed('001'),
      context: ctx({ ...APP, 'src/train.py': 10 }),
      fires: true,
      line: 19
    },
    {
      name: 'only comments in .dockerignore',
      df: PY + 'COPY ./ /app/\n',
      context: ctx(APP, '# nothing yet\n\n'),
      fires: true
    },
    { name: 'ADD . counts too', df: PY + 'ADD . /app\n', context: ctx(APP), fires: true },
    {
      name: 'a .dockerignore with patterns',
      df: PY + 'COPY . .\n',
      context: ctx(APP, '.git\n'),
      fires: false
    },
    {
      name: 'seed 000 with its .dockerignore',
      df: seed('000'),
      context: ctx(APP, seedIgnore('000')),
      fires: false
    },
    {
      name: 'only explicit paths',
      df: PY + 'COPY requirements.txt ./\nCOPY src/ ./src/\n',
      context: ctx(APP),
      fires: false
    },
    {
      name: 'COPY --from . is not the context',
      df: PY + 'COPY --from=builder . .\n',
      context: ctx(APP),
      fires: false
    }
  ],
  MLD002: [
    {
      name: 'model pickle below a directory vs *.pkl',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'models/clf.pkl': 2 * MiB }, '*.pkl\n'),
      fires: true,
      line: 3
    },
    {
      name: 'seed 000 context ships its model',
      df: seed('000'),
      context: ctx({ ...APP, 'models/intent.pkl': 4000 }, seedIgnore('000')),
      fires: true,
      line: 18
    },
    {
      name: 'big file under data/',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'data/train.csv': 50 * MiB }, '.git\n'),
      fires: true
    },
    {
      name: 'large .bin',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'pytorch_model.bin': 400 * MiB }, '.git\n'),
      fires: true
    },
    {
      name: '**/*.pkl excludes nested pickles',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'models/clf.pkl': 2 * MiB }, '**/*.pkl\n'),
      fires: false
    },
    {
      name: 'models/ excluded',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'models/clf.pt': 2 * MiB }, 'models/\n'),
      fires: false
    },
    {
      name: 'explicit COPY models/ is deliberate',
      df: PY + 'COPY models/ ./models/\nCOPY app.py .\n',
      context: ctx({ ...APP, 'models/clf.pt': 2 * MiB }),
      fires: false
    },
    {
      name: 'small .bin is not an artifact',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'x.bin': 100 }, '.git\n'),
      fires: false
    },
    {
      name: 'COPY --exclude',
      df: PY + 'COPY --exclude=models . .\n',
      context: ctx({ ...APP, 'models/a.onnx': 9 * MiB }, '.git\n'),
      fires: false
    }
  ],
  MLD003: [
    {
      name: 'seed 004 patterns miss nested __pycache__',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'src/__pycache__/x.pyc': 10 }, seedIgnore('004')),
      fires: true
    },
    {
      name: '.git shipped',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, '.git/HEAD': 20 }, '*.pyc\n'),
      fires: true
    },
    {
      name: 'virtualenv found by pyvenv.cfg',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'myenv/pyvenv.cfg': 20, 'myenv/bin/python': 10 }, '.git\n'),
      fires: true
    },
    {
      name: 'logs directory',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'logs/app.log': 20 }, '.git\n'),
      fires: true
    },
    {
      name: 'everything excluded',
      df: PY + 'COPY . .\n',
      context: ctx(
        {
          ...APP,
          '.git/HEAD': 1,
          'src/__pycache__/x.pyc': 1,
          '.venv/pyvenv.cfg': 1,
          'logs/a.log': 1
        },
        '.git\n**/__pycache__\n.venv\nlogs\n'
      ),
      fires: false
    },
    {
      name: 'clean context',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'src/model.py': 10 }, '.git\n'),
      fires: false
    },
    {
      name: 'explicit copies only',
      df: PY + 'COPY app.py .\n',
      context: ctx({ ...APP, '.git/HEAD': 1 }),
      fires: false
    }
  ],
  MLD004: [
    {
      name: 'COPY .env explicitly (no context known)',
      df: PY + 'COPY .env .\n',
      fires: true,
      line: 3
    },
    {
      name: 'whole copy ships .env',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, '.env': 30 }, '.git\n'),
      fires: true
    },
    {
      name: 'prod.env shipped',
      df: PY + 'COPY config/ ./config/\n',
      context: ctx({ ...APP, 'config/prod.env': 30 }),
      fires: true
    },
    {
      name: '.env.local shipped',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, '.env.local': 30 }, '.git\n'),
      fires: true
    },
    {
      name: 'seed 004 .dockerignore excludes .env',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, '.env': 30 }, seedIgnore('004')),
      fires: false
    },
    { name: '.env.example is a template', df: PY + 'COPY .env.example .\n', fires: false },
    {
      name: 'no .env in the context',
      df: PY + 'COPY . .\n',
      context: ctx(APP, '.git\n'),
      fires: false
    }
  ],
  MLD005: [
    {
      name: 'kaggle.json shipped',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'kaggle.json': 60 }, '.git\n'),
      fires: true
    },
    {
      name: 'service account JSON explicit',
      df: PY + 'COPY gcp-service-account.json /secrets/\n',
      fires: true
    },
    {
      name: '.dvc/config.local shipped',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, '.dvc/config.local': 60, '.dvc/config': 60 }, '.git\n'),
      fires: true
    },
    { name: 'private key', df: PY + 'COPY deploy/id_rsa /root/.ssh/id_rsa\n', fires: true },
    { name: 'public key only', df: PY + 'COPY deploy/id_rsa.pub /root/.ssh/\n', fires: false },
    {
      name: 'excluded',
      df: PY + 'COPY . .\n',
      context: ctx({ ...APP, 'kaggle.json': 60 }, 'kaggle.json\n'),
      fires: false
    },
    { name: 'ordinary JSON', df: PY + 'COPY config.json .\n', fires: false }
  ],
  MLD006: [
    {
      name: 'COPY . before pip install -r',
      df: PY + 'COPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n',
      fires: true,
      line: 3
    },
    {
      name: 'COPY . before poetry install',
      df: PY + 'COPY . .\nRUN poetry install --no-root\n',
      fires: true
    },
    {
      name: 'COPY . before pip install .',
      df: PY + 'COPY . .\nRUN pip install --no-cache-dir .\n',
      fires: true
    },
    { name: 'COPY . before uv sync', df: PY + 'COPY . .\nRUN uv sync --frozen\n', fires: true },
    { name: 'seed 000 copies requirements first', df: seed('000'), fires: false },
    { name: 'seed 001', df: seed('001'), fires: false },
    {
      name: 'manifests first, then pip install --no-deps .',
      df:
        PY +
        'COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install --no-deps .\n',
      fires: false
    },
    {
      name: 'bind-mounted manifest',
      df:
        PY +
        'RUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt\nCOPY . .\n',
      fires: false
    },
    {
      name: 'no dependency install at all',
      df: PY + 'COPY . .\nCMD ["python", "app.py"]\n',
      fires: false
    }
  ],
  MLD007: [
    {
      name: 'models after code',
      df: PY + 'COPY src/ ./src/\nCOPY models/ ./models/\n',
      fires: true,
      line: 4
    },
    {
      name: 'checkpoint after COPY .',
      df: PY + 'COPY . .\nCOPY weights/model.safetensors /weights/\n',
      fires: true
    },
    { name: 'onnx after *.py', df: PY + 'COPY serve.py .\nCOPY clf.onnx .\n', fires: true },
    { name: 'models first', df: PY + 'COPY models/ ./models/\nCOPY src/ ./src/\n', fires: false },
    {
      name: 'model from another stage',
      df: PY + 'COPY src/ ./src/\nCOPY --from=trainer /out/model.pt ./\n',
      fires: false
    },
    { name: 'seed 004 (no model copy)', df: seed('004'), fires: false }
  ],
  MLD008: [
    { name: 'python:3.11 full', df: 'FROM python:3.11\nCMD ["python"]\n', fires: true, line: 1 },
    { name: 'python:3.11-bookworm', df: 'FROM python:3.11-bookworm\n', fires: true },
    { name: 'anaconda', df: 'FROM continuumio/anaconda3:2024.02-1\n', fires: true },
    {
      name: 'through an alias',
      df: 'FROM python:3.10 AS base\nFROM base\nCMD ["python"]\n',
      fires: true,
      line: 2
    },
    { name: 'slim', df: 'FROM python:3.11-slim\n', fires: false },
    {
      name: 'full image only in builder',
      df: 'FROM python:3.11 AS build\nRUN pip wheel -r r.txt\nFROM python:3.11-slim\n',
      fires: false
    },
    { name: 'seed 002', df: seed('002'), fires: false }
  ],
  MLD009: [
    { name: 'python:3-slim', df: 'FROM python:3-slim\n', fires: true },
    { name: 'python:slim', df: 'FROM python:slim\n', fires: true },
    {
      name: 'python:alpine in a builder',
      df: 'FROM python:alpine AS b\nFROM python:3.12-alpine\n',
      fires: true,
      line: 1
    },
    {
      name: 'ARG default resolved',
      df: 'ARG PY=3\nFROM python:${PY}-slim\n',
      fires: true,
      line: 2
    },
    { name: 'python:3.11-slim', df: 'FROM python:3.11-slim\n', fires: false },
    { name: 'latest is left to DL3007', df: 'FROM python:latest\n', fires: false },
    { name: 'digest', df: 'FROM python:3@sha256:0123456789abcdef\n', fires: false },
    { name: 'seed 004', df: seed('004'), fires: false }
  ],
  MLD010: [
    {
      name: 'cuda devel final',
      df: 'FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04\n',
      fires: true
    },
    {
      name: 'pytorch devel',
      df: 'FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-devel\n',
      fires: true
    },
    {
      name: 'devel via alias',
      df: 'FROM nvidia/cuda:12.1.0-devel-ubuntu22.04 AS base\nFROM base\n',
      fires: true
    },
    { name: 'runtime', df: 'FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04\n', fires: false },
    {
      name: 'devel only in builder',
      df: 'FROM nvidia/cuda:12.1.0-devel-ubuntu22.04 AS build\nFROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\n',
      fires: false
    },
    { name: 'non-cuda', df: 'FROM python:3.11-slim\n', fires: false }
  ],
  MLD011: [
    { name: 'seed 000 gcc/make/-dev', df: seed('000'), fires: true, line: 5 },
    { name: 'seed 001 gcc', df: seed('001'), fires: true, line: 9 },
    {
      name: 'build-essential',
      df:
        PY +
        'RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\n',
      fires: true
    },
    {
      name: 'apk virtual group not deleted',
      df: 'FROM python:3.11-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev\n',
      fires: true
    },
    {
      name: 'purged in the same RUN',
      df:
        PY +
        'RUN apt-get install -y gcc && pip install x==1 && apt-get purge -y --auto-remove gcc\n',
      fires: false
    },
    {
      name: 'apk del of the virtual group',
      df: 'FROM python:3.11-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install x==1 && apk del .build-deps\n',
      fires: false
    },
    { name: 'toolchain only in the builder (seed 004)', df: seed('004'), fires: false }
  ],
  MLD012: [
    { name: 'seed 000: no USER', df: seed('000'), fires: true, line: 1 },
    { name: 'seed 001: no USER', df: seed('001'), fires: true },
    { name: 'explicit USER root last', df: PY + 'USER app\nUSER root\n', fires: true, line: 4 },
    { name: 'USER 0:0', df: PY + 'USER 0:0\n', fires: true },
    { name: 'seed 002: USER myuser', df: seed('002'), fires: false },
    { name: 'seed 003: USER appuser', df: seed('003'), fires: false },
    {
      name: 'distroless nonroot',
      df: 'FROM gcr.io/distroless/python3-debian12:nonroot\n',
      fires: false
    },
    {
      name: 'USER set in the parent stage',
      df: 'FROM python:3.11-slim AS base\nUSER 10001\nFROM base\n',
      fires: false
    }
  ],
  MLD013: [
    { name: 'seed 002: uvicorn, EXPOSE, no HEALTHCHECK', df: seed('002'), fires: true, line: 1 },
    { name: 'gunicorn CMD', df: PY + 'CMD ["gunicorn", "app:app"]\n', fires: true },
    { name: 'EXPOSE only', df: PY + 'EXPOSE 8080\nCMD ["python", "serve.py"]\n', fires: true },
    { name: 'streamlit run', df: PY + 'CMD streamlit run app.py\n', fires: true },
    { name: 'seed 004 has one', df: seed('004'), fires: false },
    { name: 'HEALTHCHECK NONE opts out', df: PY + 'EXPOSE 80\nHEALTHCHECK NONE\n', fires: false },
    { name: 'batch training job', df: PY + 'CMD ["python", "train.py"]\n', fires: false },
    {
      name: 'inherited HEALTHCHECK',
      df:
        PY.replace('slim', 'slim AS base') +
        'HEALTHCHECK CMD ["python","-c","1"]\nFROM base\nEXPOSE 80\n',
      fires: false
    }
  ],
  MLD014: [
    { name: 'seed 004: curl on slim', df: seed('004'), fires: true, line: 18 },
    {
      name: 'wget on slim',
      df: PY + 'HEALTHCHECK CMD wget -qO- http://localhost:8000/health || exit 1\n',
      fires: true
    },
    {
      name: 'curl on alpine',
      df: 'FROM python:3.11-alpine\nHEALTHCHECK CMD ["curl", "-f", "http://localhost/"]\n',
      fires: true
    },
    { name: 'redis-cli not installed', df: PY + 'HEALTHCHECK CMD redis-cli ping\n', fires: true },
    { name: 'seed 000: redis-cli from redis-server', df: seed('000'), fires: false },
    {
      name: 'curl installed',
      df:
        PY +
        'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n',
      fires: false
    },
    {
      name: 'wget on alpine is busybox',
      df: 'FROM python:3.11-alpine\nHEALTHCHECK CMD wget -q --spider http://localhost/ || exit 1\n',
      fires: false
    },
    {
      name: 'unknown base',
      df: 'FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\nHEALTHCHECK CMD curl -f http://localhost/\n',
      fires: false
    },
    {
      name: 'full python ships curl',
      df: 'FROM python:3.11-bookworm\nHEALTHCHECK CMD curl -f http://localhost/\n',
      fires: false
    }
  ],
  MLD015: [
    {
      name: 'seed 003 check with a slim runtime that installs nothing',
      df:
        PY +
        'RUN pip install --no-cache-dir fastapi==0.110.0 uvicorn==0.29.0\nHEALTHCHECK CMD python -c "import requests; requests.get(\'http://localhost:8000/health\').raise_for_status()"\n',
      fires: true
    },
    {
      name: 'httpx missing',
      df:
        PY +
        'HEALTHCHECK CMD ["python", "-c", "import httpx; httpx.get(\'http://localhost/\').raise_for_status()"]\n',
      fires: true
    },
    {
      name: 'requirements content without requests',
      df:
        PY +
        'COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nHEALTHCHECK CMD python -c "import requests; requests.get(\'http://x\').raise_for_status()"\n',
      context: ctx({ 'requirements.txt': 'fastapi==0.110.0\n' }),
      fires: true
    },
    {
      name: 'requests installed',
      df:
        PY +
        'RUN pip install --no-cache-dir requests==2.32.3\nHEALTHCHECK CMD python -c "import requests; requests.get(\'http://x\').raise_for_status()"\n',
      fires: false
    },
    {
      name: 'transformers brings requests',
      df:
        PY +
        'RUN pip install --no-cache-dir transformers==4.44.0\nHEALTHCHECK CMD python -c "import requests; requests.get(\'http://x\').raise_for_status()"\n',
      fires: false
    },
    { name: 'seed 003: opaque wheel install', df: seed('003'), fires: false },
    {
      name: 'stdlib only',
      df:
        PY +
        'HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen(\'http://localhost/\')"\n',
      fires: false
    }
  ],
  MLD016: [
    { name: 'seed 001: sys.exit(0)', df: seed('001'), fires: true, line: 24 },
    { name: 'true', df: PY + 'HEALTHCHECK CMD true\n', fires: true },
    {
      name: 'masked failure',
      df: PY + 'HEALTHCHECK CMD curl -f http://localhost/ || true\n',
      fires: true
    },
    {
      name: 'exit 0 after the probe',
      df: PY + 'HEALTHCHECK CMD curl -f http://localhost/; exit 0\n',
      fires: true
    },
    { name: 'echo', df: PY + 'HEALTHCHECK CMD ["echo", "ok"]\n', fires: true },
    { name: 'seed 004 probes', df: seed('004'), fires: false },
    { name: 'seed 000 probes redis', df: seed('000'), fires: false },
    {
      name: 'urllib probe',
      df:
        PY +
        'HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen(\'http://localhost:8000/health\')" || exit 1\n',
      fires: false
    }
  ],
  MLD017: [
    { name: 'seed 003: requests.get without status', df: seed('003'), fires: true, line: 26 },
    {
      name: 'curl without -f',
      df: PY + 'HEALTHCHECK CMD curl http://localhost/ || exit 1\n',
      fires: true
    },
    {
      name: 'curl -sS only',
      df: PY + 'HEALTHCHECK CMD ["curl", "-sS", "http://localhost/"]\n',
      fires: true
    },
    {
      name: 'httpx.head',
      df: PY + 'HEALTHCHECK CMD python -c "import httpx; httpx.head(\'http://x\')"\n',
      fires: true
    },
    { name: 'seed 004: curl -f', df: seed('004'), fires: false },
    {
      name: 'combined -fsS',
      df: PY + 'HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1\n',
      fires: false
    },
    {
      name: 'wget fails on HTTP errors',
      df: PY + 'HEALTHCHECK CMD wget -q -O /dev/null http://localhost/ || exit 1\n',
      fires: false
    },
    {
      name: 'status checked',
      df:
        PY +
        'HEALTHCHECK CMD python -c "import requests,sys; sys.exit(requests.get(\'http://x\').status_code != 200)"\n',
      fires: false
    }
  ],
  MLD018: [
    { name: 'seed 000: redis --daemonize yes', df: seed('000'), fires: true, line: 24 },
    { name: 'background &', df: PY + 'CMD celery -A app worker & uvicorn app:app\n', fires: true },
    { name: 'service start', df: PY + 'CMD service nginx start && python app.py\n', fires: true },
    {
      name: 'exec form sh -c with nohup',
      df: PY + 'CMD ["sh", "-c", "nohup python worker.py > /dev/null 2>&1; python app.py"]\n',
      fires: true
    },
    { name: 'single exec process', df: PY + 'CMD ["python", "app.py"]\n', fires: false },
    { name: 'exec in shell form', df: PY + 'CMD exec python app.py\n', fires: false },
    {
      name: 'supervisord',
      df: PY + 'CMD supervisord -c /etc/supervisord.conf & wait\n',
      fires: false
    },
    {
      name: 'opaque entrypoint script',
      df: PY + 'ENTRYPOINT ["/entrypoint.sh"]\nCMD ["serve"]\n',
      fires: false
    }
  ],
  MLD019: [
    { name: 'seed 000: redis-server and EXPOSE 6379', df: seed('000'), fires: true, line: 5 },
    {
      name: 'postgresql server',
      df: 'FROM ubuntu:22.04\nRUN apt-get install -y postgresql-14\n',
      fires: true
    },
    { name: 'EXPOSE 27017', df: PY + 'EXPOSE 8000 27017\n', fires: true },
    {
      name: 'apk redis',
      df: 'FROM python:3.11-alpine\nRUN apk add --no-cache redis\n',
      fires: true
    },
    {
      name: 'clients only',
      df:
        PY +
        'RUN apt-get install -y redis-tools postgresql-client default-mysql-client libpq-dev\n',
      fires: false
    },
    { name: 'the image is the datastore', df: 'FROM redis:7.2\nEXPOSE 6379\n', fires: false },
    { name: 'seed 002 (Redis as its own service)', df: seed('002'), fires: false }
  ],
  MLD020: [
    { name: 'ARG HF_TOKEN', df: 'ARG HF_TOKEN\n' + PY, fires: true, line: 1 },
    { name: 'ENV WANDB_API_KEY', df: PY + 'ENV WANDB_API_KEY=abc123\n', fires: true },
    {
      name: 'URL with password',
      df: PY + 'ENV DATABASE_URL=postgresql://app:s3cret@db:5432/app\n',
      fires: true
    },
    {
      name: 'token shape in a value',
      df: PY + 'ARG EXTRA=hf_abcdefghijklmnopqrstuvwxyzABCDEF1234\n',
      fires: true
    },
    { name: 'suffix _SECRET_KEY', df: PY + 'ENV DJANGO_SECRET_KEY=x\n', fires: true },
    {
      name: 'TOKENIZERS_PARALLELISM',
      df: PY + 'ENV TOKENIZERS_PARALLELISM=false MAX_NEW_TOKENS=256\n',
      fires: false
    },
    { name: '_FILE reference', df: PY + 'ENV DB_PASSWORD_FILE=/run/secrets/db\n', fires: false },
    { name: 'empty ENV', df: PY + 'ENV HF_TOKEN=""\n', fires: false },
    {
      name: 'URL without password',
      df: PY + 'ENV MLFLOW_TRACKING_URI=http://user@mlflow:5000\n',
      fires: false
    }
  ],
  MLD021: [
    { name: 'seed 000: spacy download', df: seed('000'), fires: true, line: 15 },
    {
      name: 'huggingface-cli without --revision',
      df: PY + 'RUN huggingface-cli download BAAI/bge-small-en-v1.5 --local-dir /models\n',
      fires: true
    },
    {
      name: 'from_pretrained without revision',
      df:
        PY +
        'RUN python -c "from transformers import AutoModel; AutoModel.from_pretrained(\'bert-base-uncased\')"\n',
      fires: true
    },
    {
      name: 'resolve/main URL',
      df: PY + 'RUN wget -q https://huggingface.co/x/y/resolve/main/model.onnx\n',
      fires: true
    },
    {
      name: 'git clone of a HF repo',
      df: PY + 'RUN git clone https://huggingface.co/BAAI/bge-small-en-v1.5 /models/bge\n',
      fires: true
    },
    {
      name: 'versioned spaCy model',
      df: PY + 'RUN python -m spacy download en_core_web_md-3.7.1 --direct\n',
      fires: false
    },
    {
      name: 'revision given',
      df:
        PY +
        'RUN huggingface-cli download BAAI/bge --revision 5c38ec7c405ec4b44b94cc5a9bb96e735b38267a\n',
      fires: false
    },
    {
      name: 'revision= in python',
      df:
        PY +
        "RUN python -c \"from huggingface_hub import snapshot_download as s; s('x/y', revision='abc123')\"\n",
      fires: false
    },
    {
      name: 'commit URL',
      df: PY + 'RUN wget -q https://huggingface.co/x/y/resolve/0123abc/model.onnx\n',
      fires: false
    }
  ],
  MLD022: [
    {
      name: 'spacy download in CMD',
      df: PY + 'CMD python -m spacy download en_core_web_sm && python app.py\n',
      fires: true
    },
    {
      name: 'huggingface-cli in exec sh -c',
      df:
        PY + 'CMD ["sh", "-c", "huggingface-cli download x/y --revision abc && uvicorn app:app"]\n',
      fires: true
    },
    {
      name: 'wget of a URL',
      df: PY + 'CMD wget -q https://example.org/model.onnx && python serve.py\n',
      fires: true
    },
    { name: 'plain app', df: PY + 'CMD ["uvicorn", "app:app"]\n', fires: false },
    {
      name: 'download in RUN',
      df:
        PY +
        'RUN python -m spacy download en_core_web_sm-3.7.1 --direct\nCMD ["python", "app.py"]\n',
      fires: false
    },
    { name: 'seed 000', df: seed('000'), fires: false }
  ],
  MLD023: [
    {
      name: 'ADD of a checkpoint URL',
      df: PY + 'ADD https://example.org/models/resnet50.pth /models/\n',
      fires: true
    },
    {
      name: 'wget of an archive',
      df: PY + 'RUN wget -q https://example.org/model.tar.gz && tar -xzf model.tar.gz\n',
      fires: true
    },
    {
      name: 'curl of a .pt',
      df: PY + 'RUN curl -fsSLo /m.pt https://example.org/m.pt\n',
      fires: true
    },
    {
      name: 'ADD --checksum',
      df:
        PY +
        'ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.org/m.pth /models/\n',
      fires: false
    },
    {
      name: 'verified in the same RUN',
      df:
        PY +
        'RUN curl -fsSLo m.onnx https://example.org/m.onnx && echo "abc  m.onnx" | sha256sum -c -\n',
      fires: false
    },
    {
      name: 'not an artifact',
      df: PY + 'RUN curl -fsSL https://example.org/install.sh -o /tmp/i.sh\n',
      fires: false
    }
  ],
  MLD024: [
    {
      name: 'loose requirements (seed 001 style)',
      df: seed('001'),
      context: ctx({ 'requirements.txt': 'torch>=2.0\nscikit-learn\n' }),
      fires: true,
      line: 16
    },
    {
      name: 'wildcard pin',
      df: PY + 'COPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      context: ctx({ 'requirements.txt': 'numpy==1.*\n' }),
      fires: true
    },
    {
      name: 'poetry install without poetry.lock',
      df: PY + 'COPY pyproject.toml ./\nRUN poetry install --no-root\n',
      fires: true
    },
    {
      name: 'uv sync without uv.lock',
      df: PY + 'COPY pyproject.toml .\nRUN uv sync\n',
      fires: true
    },
    {
      name: 'fully pinned with hashes',
      df: PY + 'COPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      context: ctx({
        'requirements.txt':
          '# locked\nnumpy==1.26.4 --hash=sha256:abc\ntorch==2.3.1 ; python_version >= "3.9"\n-e .\n'
      }),
      fires: false
    },
    {
      name: 'hashes on continuation lines',
      df: PY + 'COPY requirements.txt .\nRUN pip install --require-hashes -r requirements.txt\n',
      context: ctx({
        'requirements.txt': 'numpy==2.4.6 \\\n    --hash=sha256:89cd \\\n    --hash=sha256:0ab0\n'
      }),
      fires: false
    },
    {
      name: 'constraints file',
      df: PY + 'RUN pip install -r requirements.txt -c constraints.txt\n',
      context: ctx({ 'requirements.txt': 'torch>=2\n' }),
      fires: false
    },
    {
      name: 'poetry.lock copied',
      df: PY + 'COPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n',
      fires: false
    },
    { name: 'content unknown', df: PY + 'RUN pip install -r requirements.txt\n', fires: false }
  ],
  MLD025: [
    {
      name: 'cpu index on cuda base',
      df: 'FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cpu\n',
      fires: true
    },
    {
      name: '+cpu local version',
      df: 'FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\nRUN pip install torchvision==0.18.1+cpu\n',
      fires: true
    },
    {
      name: 'cpu index in requirements content',
      df: 'FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      context: ctx({
        'requirements.txt': '--extra-index-url https://download.pytorch.org/whl/cpu\ntorch==2.3.1\n'
      }),
      fires: true
    },
    {
      name: 'cu121 index',
      df: 'FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cu121\n',
      fires: false
    },
    {
      name: 'default index on cuda',
      df: 'FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install torch==2.3.1\n',
      fires: false
    },
    {
      name: 'cpu wheels on cpu base',
      df: PY + 'RUN pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cpu\n',
      fires: false
    }
  ],
  MLD026: [
    {
      name: 'torch from PyPI on slim',
      df: PY + 'RUN pip install --no-cache-dir torch==2.3.1\n',
      fires: true
    },
    {
      name: 'in requirements content',
      df: PY + 'COPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      context: ctx({ 'requirements.txt': 'torch==2.3.1\nfastapi==0.110.0\n' }),
      fires: true
    },
    {
      name: 'torchvision via uv pip',
      df: PY + 'RUN uv pip install --system torchvision==0.18.1\n',
      fires: true
    },
    {
      name: 'explicit cpu index',
      df: PY + 'RUN pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/cpu\n',
      fires: false
    },
    {
      name: 'arm64 platform',
      df: 'FROM --platform=linux/arm64 python:3.11-slim\nRUN pip install torch==2.3.1\n',
      fires: false
    },
    {
      name: 'cuda base',
      df: 'FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install torch==2.3.1\n',
      fires: false
    },
    {
      name: 'PIP_EXTRA_INDEX_URL env',
      df:
        PY +
        'ENV PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu\nRUN pip install torch==2.3.1\n',
      fires: false
    }
  ],
  MLD027: [
    {
      name: 'venv copied, PATH not set',
      df: 'FROM python:3.11-slim AS b\nRUN python -m venv /opt/venv\nFROM python:3.11-slim\nCOPY --from=b /opt/venv /opt/venv\nCMD ["python", "app.py"]\n',
      fires: true,
      line: 4
    },
    {
      name: 'venv moved',
      df: 'FROM python:3.11-slim AS b\nRUN python -m venv /opt/venv\nFROM python:3.11-slim\nCOPY --from=b /opt/venv /venv\nENV PATH="/venv/bin:$PATH"\n',
      fires: true
    },
    {
      name: '.venv from uv venv in WORKDIR',
      df: 'FROM python:3.11-slim AS b\nWORKDIR /app\nRUN uv venv && uv pip install x==1\nFROM python:3.11-slim\nCOPY --from=b /app/.venv /app/.venv\nCMD ["uvicorn", "app:app"]\n',
      fires: true
    },
    {
      name: 'same path and PATH',
      df: 'FROM python:3.11-slim AS b\nRUN python -m venv /opt/venv\nFROM python:3.11-slim\nCOPY --from=b /opt/venv /opt/venv\nENV PATH="/opt/venv/bin:$PATH"\n',
      fires: false
    },
    {
      name: 'PATH through VIRTUAL_ENV',
      df: 'FROM python:3.11-slim AS b\nRUN python -m venv /opt/venv\nFROM python:3.11-slim\nENV VIRTUAL_ENV=/opt/venv\nCOPY --from=b $VIRTUAL_ENV $VIRTUAL_ENV\nENV PATH="$VIRTUAL_ENV/bin:$PATH"\n',
      fires: false
    },
    {
      name: 'CMD calls the venv python',
      df: 'FROM python:3.11-slim AS b\nRUN python -m venv /opt/venv\nFROM python:3.11-slim\nCOPY --from=b /opt/venv /opt/venv\nCMD ["/opt/venv/bin/python", "app.py"]\n',
      fires: false
    }
  ],
  MLD028: [
    { name: 'seed 000: python Integration.py', df: seed('000'), fires: true, line: 24 },
    { name: 'exec python3', df: PY + 'CMD ["python3", "serve.py"]\n', fires: true },
    {
      name: 'ENTRYPOINT path',
      df: PY + 'ENTRYPOINT ["/usr/local/bin/python3.11", "main.py"]\n',
      fires: true
    },
    { name: 'seed 001 sets PYTHONUNBUFFERED', df: seed('001'), fires: false },
    { name: 'python -u', df: PY + 'CMD ["python", "-u", "train.py"]\n', fires: false },
    { name: 'uvicorn launcher', df: PY + 'CMD ["uvicorn", "app:app"]\n', fires: false },
    {
      name: 'ENV PYTHONUNBUFFERED=0 still counts',
      df: PY + 'ENV PYTHONUNBUFFERED=0\nCMD ["python", "app.py"]\n',
      fires: false
    }
  ],
  MLD029: [
    {
      name: 'python3-opencv',
      df: PY + 'RUN apt-get update && apt-get install -y python3-opencv\n',
      fires: true
    },
    {
      name: 'python3-pip',
      df: PY + 'RUN apt-get install -y --no-install-recommends python3 python3-pip\n',
      fires: true
    },
    {
      name: 'alpine py3-numpy',
      df: 'FROM python:3.11-alpine\nRUN apk add --no-cache py3-numpy\n',
      fires: true
    },
    {
      name: 'ubuntu needs its python',
      df: 'FROM ubuntu:22.04\nRUN apt-get install -y python3 python3-pip\n',
      fires: false
    },
    {
      name: 'libraries only',
      df: PY + 'RUN apt-get install -y libgl1 libglib2.0-0\n',
      fires: false
    },
    { name: 'seed 000', df: seed('000'), fires: false }
  ],
  MLD030: [
    {
      name: 'snapshot_download as root, runs as app',
      df:
        PY +
        "RUN python -c \"from huggingface_hub import snapshot_download; snapshot_download('x/y', revision='abc')\"\nUSER 10001\n",
      fires: true
    },
    {
      name: 'huggingface-cli download without --local-dir',
      df: PY + 'RUN huggingface-cli download x/y --revision abc\nUSER app\n',
      fires: true
    },
    {
      name: 'nltk without -d',
      df: PY + 'RUN python -m nltk.downloader punkt\nUSER 1000\n',
      fires: true
    },
    {
      name: 'HF_HOME set',
      df: PY + 'ENV HF_HOME=/models\nRUN huggingface-cli download x/y --revision abc\nUSER app\n',
      fires: false
    },
    {
      name: 'download after USER',
      df: PY + 'USER app\nRUN huggingface-cli download x/y --revision abc\n',
      fires: false
    },
    {
      name: 'final user root',
      df: PY + 'RUN huggingface-cli download x/y --revision abc\n',
      fires: false
    },
    {
      name: 'spaCy models are pip packages',
      df: PY + 'RUN python -m spacy download en_core_web_sm\nUSER app\n',
      fires: false
    }
  ],
  MLD031: [
    { name: 'seed 003: 3.11 wheels into 3.10', df: seed('003'), fires: true, line: 21 },
    {
      name: 'venv 3.12 into 3.11',
      df: 'FROM python:3.12-slim AS b\nRUN python -m venv /opt/venv\nFROM python:3.11-slim\nCOPY --from=b /opt/venv /opt/venv\n',
      fires: true
    },
    {
      name: 'site-packages',
      df: 'FROM python:3.10 AS b\nFROM python:3.11-slim\nCOPY --from=b /usr/local/lib/python3.10/site-packages /usr/local/lib/python3.11/site-packages\n',
      fires: true
    },
    { name: 'same minor, full vs slim (seed 004)', df: seed('004'), fires: false },
    {
      name: 'non-Python files',
      df: 'FROM python:3.12-slim AS b\nRUN echo hi > /out.txt\nFROM python:3.11-slim\nCOPY --from=b /out.txt /out.txt\n',
      fires: false
    },
    {
      name: 'non-python base on one side',
      df: 'FROM ubuntu:22.04 AS b\nFROM python:3.11-slim\nCOPY --from=b /wheels /wheels\n',
      fires: false
    }
  ]
}

describe('MLD catalog', () => {
  for (const [rule, cases] of Object.entries(CASES)) {
    describe(rule, () => {
      it('has at least three firing and three silent cases', () => {
        expect(cases.filter((c) => c.fires).length).toBeGreaterThanOrEqual(3)
        expect(cases.filter((c) => !c.fires).length).toBeGreaterThanOrEqual(3)
      })
      for (const c of cases) {
        it(`${c.fires ? 'fires' : 'is silent'}: ${c.name}`, () => {
          const found = lintSource(c.df, { context: c.context }).filter((f) => f.rule === rule)
          expect(found.length > 0).toBe(c.fires)
          if (c.line !== undefined) expect(found[0]?.line).toBe(c.line)
        })
      }
    })
  }

  it('covers all 31 rules', () => {
    expect(Object.keys(CASES).sort()).toEqual(
      Array.from({ length: 31 }, (_, i) => `MLD${String(i + 1).padStart(3, '0')}`)
    )
  })

  it('catches all three seed health checks (no-op, status ignored, curl on slim)', () => {
    expect(lintSource(seed('001')).map((f) => f.rule)).toContain('MLD016')
    expect(lintSource(seed('003')).map((f) => f.rule)).toContain('MLD017')
    expect(lintSource(seed('004')).map((f) => f.rule)).toContain('MLD014')
  })
})
