"""The baseline for the USSD benchmark: a bare Flask endpoint, served the same way."""

from flask import Flask, Response

app = Flask(__name__)


@app.post("/ussd")
def ussd():
    return Response("CON Welcome\n1. English\n2. Kiswahili", mimetype="text/plain")
