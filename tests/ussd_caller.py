"""A caller that talks to the /ussd webhook the way Africa's Talking does."""

import itertools

_ids = itertools.count(1)


class Caller:
    """One phone: dials, answers, and keeps AT's `*`-joined history."""

    def __init__(self, client, phone="+254712000001", query=None):
        self.client, self.phone, self.query = client, phone, query
        self.session_id, self.inputs = None, []

    def dial(self):
        self.session_id, self.inputs = f"ATUid_test_{next(_ids)}", []
        return self._post()

    def send(self, answer):
        self.inputs.append(answer)
        return self._post()

    def _post(self):
        answer = self.client.post("/ussd", query_string=self.query, data={
            "sessionId": self.session_id, "serviceCode": "*384*123#", "phoneNumber": self.phone,
            "networkCode": "63902", "text": "*".join(self.inputs)})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.mimetype == "text/plain"
        return answer.get_data(as_text=True)
