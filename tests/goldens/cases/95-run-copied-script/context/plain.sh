echo plain script, no shebang
