/**
 * False positives and misses found by running the linter on public ML serving Dockerfiles
 * (TGI, TEI, vLLM, KServe, TorchServe, Jupyter stacks, ...). Each case is a snippet written in the
 * same shape as those files; every fix has a firing and a silent case.
 */
import { describe, expect, it } from '@jest/globals'
import { lintSource, type VirtualContext } from '../../../src/lint/index.js'

interface Case {
  name: string
  df: string
  context?: VirtualContext
  fires: boolean
}

const rulesOf = (c: Case, rule: string) =>
  lintSource(c.df, { context: c.context }).filter((f) => f.rule === rule)

const VENV_BUILDER =
  'FROM python:3.11-slim AS builder\nENV VIRTUAL_ENV=/opt/venv\nRUN python -m venv $VIRTUAL_ENV\nRUN $VIRTUAL_ENV/bin/pip install --no-cache-dir fastapi==0.110.0\n'

const CASES: Record<string, Case[]> = {
  MLD027: [
    {
      name: 'PATH built from $VIRTUAL_ENV and $PATH',
      df:
        VENV_BUILDER +
        'FROM python:3.11-slim\nENV VIRTUAL_ENV=/opt/venv\nCOPY --from=builder /opt/venv /opt/venv\nENV PATH="$VIRTUAL_ENV/bin:$PATH"\nCMD ["uvicorn", "app:app"]\n',
      fires: false
    },
    {
      name: 'PATH with ${VIRTUAL_ENV} braces',
      df:
        VENV_BUILDER +
        'FROM python:3.11-slim\nARG VIRTUAL_ENV=/opt/venv\nCOPY --from=builder /opt/venv /opt/venv\nENV PATH="${VIRTUAL_ENV}/bin:${PATH}"\n',
      fires: false
    },
    {
      name: 'ENV VIRTUAL_ENV from a stage ARG that inherits the global default',
      df: 'ARG VENV_PATH=/prod_venv\nFROM python:3.11-slim AS builder\nARG VENV_PATH\nENV VIRTUAL_ENV=${VENV_PATH}\nRUN python -m venv $VIRTUAL_ENV\nFROM python:3.11-slim AS prod\nARG VENV_PATH\nENV VIRTUAL_ENV=${VENV_PATH}\nENV PATH="$VIRTUAL_ENV/bin:$PATH"\nCOPY --from=builder $VIRTUAL_ENV $VIRTUAL_ENV\n',
      fires: false
    },
    {
      name: 'PATH set to another directory',
      df:
        VENV_BUILDER +
        'FROM python:3.11-slim\nENV VIRTUAL_ENV=/opt/venv\nCOPY --from=builder /opt/venv /opt/venv\nENV PATH="/usr/local/cuda/bin:$PATH"\n',
      fires: true
    }
  ],
  MLD009: [
    {
      name: 'version in a nested global ARG',
      df: 'ARG PY_MINOR=3.11\nARG PYTHON_VERSION=${PY_MINOR}\nFROM python:${PYTHON_VERSION}-slim\n',
      fires: false
    },
    {
      name: 'version in an ARG without default',
      df: 'ARG PYTHON_VERSION\nFROM python:${PYTHON_VERSION}-slim\n',
      fires: false
    },
    {
      name: 'floating major in a nested ARG',
      df: 'ARG PY_MAJOR=3\nARG PYTHON_VERSION=$PY_MAJOR\nFROM python:${PYTHON_VERSION}-slim\n',
      fires: true
    }
  ],
  MLD011: [
    {
      name: 'build tools only when an ARG without default is set',
      df: 'FROM python:3.11-slim\nARG INSTALL_DEV\nRUN if [ "$INSTALL_DEV" = "true" ]; then apt-get update && apt-get install -y --no-install-recommends gcc=12.2.0-3; fi\nUSER 1000\n',
      fires: false
    },
    {
      name: 'gated on an ARG whose default turns it on',
      df: 'FROM python:3.11-slim\nARG INSTALL_DEV=true\nRUN if [ "$INSTALL_DEV" = "true" ]; then apt-get update && apt-get install -y --no-install-recommends gcc=12.2.0-3; fi\nUSER 1000\n',
      fires: true
    },
    {
      name: 'unconditional install',
      df: 'FROM python:3.11-slim\nARG INSTALL_DEV\nRUN apt-get update && apt-get install -y --no-install-recommends gcc=12.2.0-3\nUSER 1000\n',
      fires: true
    }
  ],
  MLD012: [
    {
      name: 'jupyter docker-stacks base (runs as jovyan)',
      df: 'FROM jupyter/scipy-notebook:2024-05-27\nRUN pip install --no-cache-dir xgboost==2.0.3\n',
      fires: false
    },
    {
      name: 'scratch export stage',
      df: 'FROM python:3.11-slim AS build\nRUN pip wheel --no-cache-dir -w /wheels torch==2.3.0\nFROM scratch AS export\nCOPY --from=build /wheels /\n',
      fires: false
    },
    {
      name: 'ARG UID=0 with USER $UID',
      df: 'FROM python:3.11-slim\nARG UID=0\nUSER $UID\nCMD ["python", "-u", "serve.py"]\n',
      fires: true
    },
    {
      name: 'ARG UID=1000 with USER ${UID}',
      df: 'FROM python:3.11-slim\nARG UID=1000\nUSER ${UID}\nCMD ["python", "-u", "serve.py"]\n',
      fires: false
    },
    {
      name: 'final stage chosen by an ARG (FROM ${BUILD_TYPE}-image) whose stage sets USER',
      df: 'ARG BUILD_TYPE=dev\nFROM ubuntu:24.04 AS dev-image\nRUN useradd -m model-server\nUSER model-server\nFROM ubuntu:24.04 AS ci-image\nFROM ${BUILD_TYPE}-image AS final-image\nCMD ["serve"]\n',
      fires: false
    },
    {
      name: 'jupyter base switched back to root',
      df: 'FROM jupyter/base-notebook:2023-10-20\nUSER root\nRUN apt-get update\n',
      fires: true
    }
  ],
  MLD028: [
    {
      name: 'CMD prints versions and exits',
      df: 'FROM python:3.11-slim\nUSER 1000\nCMD ["python", "-c", "import torch; print(torch.__version__)"]\n',
      fires: false
    },
    {
      name: 'CMD python --version',
      df: 'FROM python:3.11-slim\nUSER 1000\nCMD python3 --version\n',
      fires: false
    },
    {
      name: 'CMD runs a server from -c',
      df: 'FROM python:3.11-slim\nUSER 1000\nCMD ["python", "-c", "import app; app.main()"]\n',
      fires: true
    }
  ],
  MLD001: [
    {
      name: 'Dockerfile linted without its project (COPY sources absent)',
      df: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n',
      context: { files: [{ path: 'Dockerfile', size: 120 }] },
      fires: false
    },
    {
      name: 'real context without .dockerignore',
      df: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n',
      context: {
        files: [
          { path: 'Dockerfile', size: 120 },
          { path: 'requirements.txt', size: 14, content: 'flask==3.0.0\n' }
        ]
      },
      fires: true
    }
  ],
  MLD024: [
    {
      name: 'uv sync with the lock in a context that is not the project',
      df: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY pyproject.toml ./\nCOPY . .\nRUN uv sync --frozen\n',
      context: { files: [{ path: 'Dockerfile', size: 120 }] },
      fires: false
    },
    {
      name: 'uv sync --frozen refuses to run without the lock',
      df: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY pyproject.toml ./\nRUN uv sync --frozen\n',
      context: {
        files: [{ path: 'pyproject.toml', size: 30, content: '[project]\nname = "x"\n' }]
      },
      fires: false
    },
    {
      name: 'lock shipped inside a copied directory (context unknown)',
      df: 'FROM python:3.11-slim\nWORKDIR /usr/src\nCOPY server server\nRUN cd server && uv sync\n',
      fires: false
    },
    {
      name: 'uv sync, real context without uv.lock',
      df: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY pyproject.toml ./\nCOPY . .\nRUN uv sync\n',
      context: {
        files: [
          { path: 'Dockerfile', size: 120 },
          { path: 'pyproject.toml', size: 30, content: '[project]\nname = "x"\n' }
        ]
      },
      fires: true
    }
  ],
  MLD006: [
    {
      name: 'dependencies in the parent stage, then COPY . and pip install --no-deps .',
      df: 'FROM python:3.11-slim AS build\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nFROM build AS app\nCOPY . .\nRUN pip install --no-cache-dir --no-deps .\n',
      fires: false
    },
    {
      name: 'COPY . before installing the project with its dependencies',
      df: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n',
      fires: true
    }
  ],
  MLD013: [
    {
      name: 'TGI launcher without EXPOSE',
      df: 'FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nENTRYPOINT ["text-generation-launcher"]\nCMD ["--json-output"]\n',
      fires: true
    },
    {
      name: 'TEI router',
      df: 'FROM debian:bookworm-slim\nENTRYPOINT ["text-embeddings-router"]\n',
      fires: true
    },
    {
      name: 'vllm serve',
      df: 'FROM python:3.11-slim\nUSER 1000\nCMD ["vllm", "serve", "org/model", "--port", "8000"]\n',
      fires: true
    },
    {
      name: 'vLLM OpenAI entrypoint module',
      df: 'FROM python:3.11-slim\nENTRYPOINT ["python3", "-m", "vllm.entrypoints.openai.api_server"]\n',
      fires: true
    },
    {
      name: 'mlserver start',
      df: 'FROM python:3.11-slim\nCMD mlserver start /mnt/models\n',
      fires: true
    },
    {
      name: 'KServe sklearn server',
      df: 'FROM python:3.11-slim\nENTRYPOINT ["python", "-m", "sklearnserver"]\n',
      fires: true
    },
    {
      name: 'ollama',
      df: 'FROM ubuntu:22.04\nENTRYPOINT ["/bin/ollama"]\nCMD ["serve"]\n',
      fires: true
    },
    {
      name: 'Triton server',
      df: 'FROM python:3.11-slim\nCMD ["tritonserver", "--model-repository=/models"]\n',
      fires: true
    },
    {
      name: 'TorchServe',
      df: 'FROM python:3.11-slim\nCMD ["torchserve", "--start", "--model-store", "/models"]\n',
      fires: true
    },
    {
      name: 'TGI with a HEALTHCHECK',
      df: 'FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nHEALTHCHECK CMD curl -f http://localhost:80/health || exit 1\nENTRYPOINT ["text-generation-launcher"]\n',
      fires: false
    },
    {
      name: 'a batch job',
      df: 'FROM python:3.11-slim\nCMD ["python", "-u", "train.py"]\n',
      fires: false
    }
  ],
  MLD032: [
    {
      name: 'unquoted >= bound',
      df: 'FROM python:3.11-slim\nRUN pip install --no-cache-dir transformers>=4.40 accelerate\n',
      fires: true
    },
    {
      name: 'unquoted < bound with uv pip',
      df: 'FROM python:3.11-slim\nRUN uv pip install --system numpy<2\n',
      fires: true
    },
    {
      name: 'quoted bound',
      df: 'FROM python:3.11-slim\nRUN pip install --no-cache-dir "transformers>=4.40" \'numpy<2\'\n',
      fires: false
    },
    {
      name: 'real redirect of pip output',
      df: 'FROM python:3.11-slim\nRUN pip install --no-cache-dir -r requirements.txt > /tmp/pip.log 2>&1\n',
      fires: false
    }
  ],
  MLD010: [
    {
      name: 'NGC PyTorch container as the final base',
      df: 'FROM nvcr.io/nvidia/pytorch:24.03-py3\nCOPY serve.py /app/\nCMD ["python", "/app/serve.py"]\n',
      fires: true
    },
    {
      name: 'NGC PyTorch in the builder only',
      df: 'FROM nvcr.io/nvidia/pytorch:24.03-py3 AS build\nRUN pip wheel -w /w flash-attn==2.5.8\nFROM nvcr.io/nvidia/cuda:12.3.2-runtime-ubuntu22.04\nCOPY --from=build /w /w\n',
      fires: false
    },
    {
      name: 'NGC Triton server',
      df: 'FROM nvcr.io/nvidia/tritonserver:24.03-py3\n',
      fires: false
    }
  ],
  MLD033: [
    {
      name: 'nvcc on a -runtime image',
      df: 'FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nCOPY kernels /src\nRUN nvcc -O3 -o /usr/local/bin/k /src/k.cu\n',
      fires: true
    },
    {
      name: 'flash-attn from source on a -runtime image',
      df: 'FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nENV TORCH_CUDA_ARCH_LIST="8.0;8.6"\nRUN pip install --no-cache-dir flash-attn==2.5.8 --no-build-isolation\n',
      fires: true
    },
    {
      name: 'nvcc on the -devel image',
      df: 'FROM nvidia/cuda:12.1.1-devel-ubuntu22.04\nRUN nvcc -O3 -o /k /src/k.cu\n',
      fires: false
    },
    {
      name: 'prebuilt wheels on a -runtime image',
      df: 'FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nRUN pip install --no-cache-dir torch==2.3.0\n',
      fires: false
    }
  ],
  MLD021: [
    {
      name: 'from_pretrained in python -c',
      df: 'FROM python:3.11-slim\nRUN python -c "from transformers import AutoModel; AutoModel.from_pretrained(\'bert-base-uncased\')"\n',
      fires: true
    },
    {
      name: 'snapshot_download in a python heredoc',
      df: 'FROM python:3.11-slim\nRUN python3 <<EOF\nfrom huggingface_hub import snapshot_download\nsnapshot_download("org/model", local_dir="/models")\nEOF\n',
      fires: true
    },
    {
      name: 'nltk.download',
      df: 'FROM python:3.11-slim\nRUN python -c "import nltk; nltk.download(\'punkt\')"\n',
      fires: true
    },
    {
      name: 'spacy download without version',
      df: 'FROM python:3.11-slim\nRUN python -m spacy download en_core_web_sm\n',
      fires: true
    },
    {
      name: 'git clone of a weights repository at HEAD',
      df: 'FROM python:3.11-slim\nRUN git clone --depth 1 https://git.example.org/team/sam-weights.git /weights\n',
      fires: true
    },
    {
      name: 'snapshot_download with revision',
      df: "FROM python:3.11-slim\nRUN python -c \"from huggingface_hub import snapshot_download; snapshot_download('org/model', revision='3f1c2a7')\"\n",
      fires: false
    },
    {
      name: 'git clone of a data repo at a release tag',
      df: 'FROM python:3.11-slim\nRUN git clone --depth 1 --branch v1.2.0 https://git.example.org/team/eval-data.git /data\n',
      fires: false
    },
    {
      name: 'git clone of a code repository',
      df: 'FROM python:3.11-slim\nRUN git clone https://git.example.org/team/detector.git /src\n',
      fires: false
    }
  ],
  MLD023: [
    {
      name: 'curl | sh installer',
      df: 'FROM python:3.11-slim\nRUN curl -LsSf https://example.org/tool/install.sh | sh\n',
      fires: true
    },
    {
      name: 'wget -qO- | bash',
      df: 'FROM ubuntu:22.04\nRUN wget -qO- https://example.org/get.sh | bash -s -- --yes\n',
      fires: true
    },
    {
      name: 'sh -c "$(curl ...)"',
      df: 'FROM ubuntu:22.04\nRUN sh -c "$(curl -fsSL https://example.org/install.sh)"\n',
      fires: true
    },
    {
      name: 'downloaded, verified, then run',
      df: 'FROM ubuntu:22.04\nRUN curl -fsSLo /tmp/i.sh https://example.org/install.sh && echo "abc  /tmp/i.sh" | sha256sum -c - && sh /tmp/i.sh\n',
      fires: false
    },
    {
      name: 'curl piped into tar',
      df: 'FROM ubuntu:22.04\nRUN curl -fsSL https://example.org/tool-1.2.3.txt | grep -v x\n',
      fires: false
    }
  ]
}

describe('real-world shapes', () => {
  for (const [rule, cases] of Object.entries(CASES)) {
    describe(rule, () => {
      for (const c of cases) {
        it(`${c.fires ? 'fires' : 'is silent'}: ${c.name}`, () => {
          expect(rulesOf(c, rule).length > 0).toBe(c.fires)
        })
      }
    })
  }

  it('suggests a pinned tag for a floating ARG-built python base', () => {
    const [f] = lintSource(
      'ARG PY_MAJOR=3\nARG PYTHON_VERSION=$PY_MAJOR\nFROM python:${PYTHON_VERSION}-slim\n'
    ).filter((x) => x.rule === 'MLD009')
    expect(f.message).toContain('`python:3-slim`')
    expect(f.message).toContain('`python:3.12-slim`')
  })

  it('names each second-Python package once', () => {
    const [f] = lintSource(
      'FROM python:3.11-slim\nRUN if [ "$X" = 1 ]; then apt-get install -y python3-dev; else apt-get install -y python3-dev gcc; fi\n'
    ).filter((x) => x.rule === 'MLD029')
    expect(f.message).toContain('installing python3-dev adds')
  })

  it('says what the unquoted pip bound does', () => {
    const [f] = lintSource('FROM python:3.11-slim\nRUN pip install torch>=2.1\n').filter(
      (x) => x.rule === 'MLD032'
    )
    expect(f.message).toContain('`>=2.1`')
    expect(f.message).toContain('pip install "pkg>=2.1"')
  })
})
