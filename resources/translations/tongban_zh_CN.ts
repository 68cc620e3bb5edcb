<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>CounterWindow</name>
    <message>
        <source>Tongban Terminal — {hall} window {window}</source>
        <translation>通办终端 — {hall} {window}号窗口</translation>
    </message>
    <message>
        <source>Window {window}</source>
        <translation>{window}号窗口</translation>
    </message>
    <message>
        <source>Terminal {code}</source>
        <translation>终端 {code}</translation>
    </message>
</context>
<context>
    <name>ErrorPresenter</name>
    <message>
        <source>The operation could not be completed because of a problem with this computer or the network (for example a full disk or a device that is not connected). Please check and try again.</source>
        <translation>操作未能完成：这台电脑或网络出现了问题（例如磁盘已满或设备未连接）。请检查后重试。</translation>
    </message>
    <message>
        <source>Something went wrong in the program. It has been written to the log. You can go on working; if it happens again, please tell the administrator.</source>
        <translation>程序出现了意外错误，已记录到日志。您可以继续办理业务；如果反复出现，请联系管理员。</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>出错了</translation>
    </message>
</context>
<context>
    <name>PlaceholderWindow</name>
    <message>
        <source>Self-service kiosk</source>
        <translation>自助终端</translation>
    </message>
    <message>
        <source>Rating screen</source>
        <translation>评价器</translation>
    </message>
    <message>
        <source>Tongban Terminal — {hall}</source>
        <translation>通办终端 — {hall}</translation>
    </message>
    <message>
        <source>{mode} mode comes in a later version.</source>
        <translation>{mode}模式将在后续版本中提供。</translation>
    </message>
</context>
<context>
    <name>PrintPreviewDialog</name>
    <message>
        <source>打印预览</source>
        <extracomment>Preview width on screen; pages are scaled to it.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>共 %n 页</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>打印</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>输出PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>重试</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>关闭</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在打印…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已保存为PDF：%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已打印</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>打印失败：%1 办件已保存，可重试或输出PDF。</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TerminalStatusBar</name>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline (platform unreachable)</source>
        <translation>离线（无法连接平台）</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>{count} waiting to sync</source>
        <translation>待同步 {count} 条</translation>
    </message>
    <message>
        <source>{count} rejected, tell the administrator</source>
        <translation>被退回 {count} 条，请联系管理员</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>No case in progress</source>
        <translation>当前没有正在办理的业务</translation>
    </message>
    <message>
        <source>Choose a service item to start taking in an application.</source>
        <translation>请选择事项，开始收件。</translation>
    </message>
</context>
</TS>
