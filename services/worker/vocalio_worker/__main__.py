from vocalio_worker.cli import serve

serve()
