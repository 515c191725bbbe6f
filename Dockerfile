# One Oversight Graph replica. compose.yaml runs three of these over one PostgreSQL.
FROM python:3.11-slim

WORKDIR /app
COPY . /app
# Installed in place (editable), so the bundled seed and web/ stay where the code looks for them;
# the browser assets of GraphiQL and /explore are fetched (and checked against their sha512) at build time.
RUN pip install --no-cache-dir -e . && oversight assets fetch

ENV OVERSIGHT_HOST=0.0.0.0 \
    OVERSIGHT_PORT=8000 \
    OVERSIGHT_SNAPSHOTS=/snapshots
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["oversight", "serve"]
