"""The home page: one large tile per self-service function, the 长辈模式 switch, a scan hint."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from ui.kiosk.page import KioskPage
from ui.kiosk.theme import KioskSizes
from ui.kiosk.widgets import KioskButton, label

#: key, tile text, what it does (accessible description)
TILES: tuple[tuple[str, str, str], ...] = (
    ("progress", "进度查询", "扫描回执二维码或输入办件编号，查看办件进度"),
    ("rating", "好差评", "为您自己的办件评价"),
    ("guide", "办事指南", "按部门浏览或搜索事项，查看所需材料、时限、费用和办理地点"),
    ("reprint", "补打回执", "刷身份证后补打您办件的收件回执"),
    ("intake", "自助收件", "办理可在自助终端办理的事项"),
)


class HomePage(KioskPage):
    """Signals:
    tile_chosen(str): a tile's key.
    elder_toggled(bool): the 长辈模式 switch.
    """

    title = "首页"
    tile_chosen = Signal(str)
    elder_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk_home")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.setSpacing(20)
        top = QHBoxLayout()
        self.welcome = label("欢迎使用自助服务，请点击您要办理的事项", self, name="home_welcome", role="title")
        top.addWidget(self.welcome, 1)
        self.elder_switch = KioskButton(
            "长辈模式", self, name="elder_switch", description="大字体、高对比度、操作时间更长"
        )
        self.elder_switch.setCheckable(True)
        self.elder_switch.toggled.connect(self.elder_toggled)
        # At the top of the row (Qt.AlignmentFlag.AlignTop) by a stretch below it: no `Qt` namespace before the
        # first frame (PySide6 builds all of its ~93 enum types at the first touch, ~45 ms; issue 13).
        switch_column = QVBoxLayout()
        switch_column.addWidget(self.elder_switch)
        switch_column.addStretch(1)
        top.addLayout(switch_column)
        layout.addLayout(top)
        self.grid = QGridLayout()
        self.grid.setSpacing(24)
        self.tiles: dict[str, KioskButton] = {}
        self._reasons: dict[str, str] = {}
        for key, text, description in TILES:
            tile = KioskButton(text, self, name=f"tile_{key}", role="tile", description=description)
            tile.setProperty("key", key)
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            tile.clicked.connect(self._clicked)
            self.tiles[key] = tile
        self._columns = 0
        self.set_columns(3)
        layout.addLayout(self.grid, 1)
        self.hint = label(
            "持有收件回执的，可直接将回执上的二维码对准扫码口，查看办件进度", self, name="home_hint", role="hint"
        )
        layout.addWidget(self.hint)

    def set_columns(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for n, (key, _text, _d) in enumerate(TILES):
            self.grid.addWidget(self.tiles[key], n // columns, n % columns)

    def set_tile_state(self, key: str, *, enabled: bool, reason: str = "") -> None:
        """Enable a tile, or disable it with the reason shown on it (hardware absent, offline …)."""
        tile = self.tiles[key]
        name = next(text for k, text, _d in TILES if k == key)
        tile.setEnabled(enabled)
        self._reasons[key] = "" if enabled else reason
        tile.setText(name if enabled or not reason else f"{name}\n（{reason}）")
        tile.setAccessibleDescription(next(d for k, _t, d in TILES if k == key) if enabled else f"暂不可用：{reason}")

    def reason(self, key: str) -> str:
        return self._reasons.get(key, "")

    def apply_sizes(self, sizes: KioskSizes) -> None:
        pass

    def first_focus(self) -> QWidget | None:
        return next((tile for tile in self.tiles.values() if tile.isEnabled()), self.elder_switch)

    @Slot()
    def _clicked(self) -> None:
        sender = self.sender()
        key = sender.property("key") if isinstance(sender, KioskButton) else None
        if isinstance(key, str):
            self.tile_chosen.emit(key)
