# The app in one container: docker build -t nnlib . && docker run -p 8501:8501 nnlib
# Several replicas behind nginx with sticky sessions: deploy/compose.yaml.
FROM python:3.11-slim

# MALLOC_ARENA_MAX=1: every Streamlit script run is a new thread, and glibc's default of 8 malloc arenas
# per core keeps what closed sessions freed (ui/load.py sets the same at run time where it cannot be set).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The README's install command (the app's requirements); its own layer, so code edits rebuild fast.
# --build-arg REQUIREMENTS=requirements-dev.txt adds the test tools (then: python -m pytest -m "not e2e").
ARG REQUIREMENTS=requirements.txt
COPY requirements.txt requirements-dev.txt ./
RUN python -m pip install -r "$REQUIREMENTS"

COPY . .
RUN useradd --create-home --uid 10001 app && chown -R app /app
USER app

EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
    CMD python -c "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4); sys.exit(r.read().strip() != b'ok')"

CMD ["python", "-m", "streamlit", "run", "streamlit_app.py", \
     "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", \
     "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"]
