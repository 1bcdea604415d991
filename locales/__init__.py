"""The gettext catalogs (`<locale>/LC_MESSAGES/messages.po`), shipped inside the package so an installed wheel
speaks Indonesian outside the source tree. `bot.engine.i18n` reads them through `importlib.resources`; there is no
code here."""
