"""Answers entering enkat: personal links, the kiosk, staff and paper entry, the tidy CSV
import; drafts saved page by page and submitted once, as responses."""
