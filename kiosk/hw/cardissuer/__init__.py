"""On-the-spot card issuing module (dispenser + card printer). Not part of the walking skeleton: its
codec, driver, simulator and the crash-safe issuance transaction come with issue 6."""
