"""View functions of the letters blueprint; `app.letters.routes` maps URLs to them."""
