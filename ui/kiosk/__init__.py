"""The self-service kiosk (issue 12): a locked full-screen window, its pages, touch input and 长辈模式.

Widgets here talk only to `app.services` (the kiosk service, ratings, receipts, devices) and `app.config`.
"""
