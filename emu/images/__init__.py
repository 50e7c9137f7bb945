"""Images: the model (:mod:`.image`), references as Docker parses them (:mod:`.reference`),
emu's offline catalog of base images (:mod:`.catalog`, data in ``data/``) and the import of
``docker save`` archives and OCI layouts (:mod:`.load`).

Importing this package reads no data; the catalog parses its data on first use.
"""
