"""A kiosk process for the crash test: ``issue`` runs one issuance (and is SIGKILLed by its own journal at
the named step); ``recover`` starts the kiosk, whose start-up step (recover_at_start) initialises the module
and settles what was left. Both modes run that step, as every kiosk start does."""
import json
import os
import signal
import sys

from kiosk.config import Config
from kiosk.logsetup import configure
from kiosk.runtime import Kiosk
from kiosk.startup import recover_at_start


def main() -> None:
    mode, state_dir, service_url, issuer_port = sys.argv[1:5]
    configure(state_dir)
    config = Config(state_dir=state_dir, service_url=service_url, issuer_port=issuer_port, issuer_reader="vpcd",
                    security="keyservice", kiosk_id="CRASH-01")
    kiosk = Kiosk(config, recover=False)
    try:
        recover_at_start(kiosk.devices)
        if mode == "issue":
            application_id, crash_at = int(sys.argv[5]), sys.argv[6]
            kiosk.devices.journal.after_step = (
                lambda _txn, step: os.kill(os.getpid(), signal.SIGKILL) if step == crash_at else None)
            from kiosk import demo
            from kiosk.flows.issuance import IssuanceFlow
            person = demo.by_key(sys.argv[7])
            outcome = IssuanceFlow(kiosk.devices, application_id, person.name, person.id_number).run(take_timeout=3)
            print(json.dumps({"card_number": outcome.card_number, "taken": outcome.taken}), flush=True)
        else:
            rows = kiosk.devices.journal.transactions("issuance")
            print(json.dumps([{"txn": r["txn"], "outcome": r["outcome"],
                               "card_number": next((d["card_number"] for _, d in kiosk.devices.journal.details(r["txn"])
                                                    if "card_number" in d), None)} for r in rows]), flush=True)
    finally:
        kiosk.close()


if __name__ == "__main__":
    main()
