<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AdminAuthDialog</name>
    <message>
        <source>Administrator required</source>
        <translation>需要管理员</translation>
    </message>
    <message>
        <source>This needs an administrator. Administrator, enter your staff number and PIN.</source>
        <translation>此操作需要管理员。请管理员输入工号和密码。</translation>
    </message>
    <message>
        <source>Administrator staff number</source>
        <translation>管理员工号</translation>
    </message>
    <message>
        <source>Administrator PIN</source>
        <translation>管理员密码</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>This computer has no administrator yet. Add one at the command line: tongban staff add NUMBER NAME --role admin</source>
        <translation>本机还没有管理员。请先在命令行添加：tongban staff add 工号 姓名 --role admin</translation>
    </message>
</context>
<context>
    <name>ApplicantForm</name>
    <message>
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>个人</translation>
    </message>
    <message>
        <source>Enterprise</source>
        <translation>企业</translation>
    </message>
    <message>
        <source>Read ID card (F5)</source>
        <translation>读身份证 (F5)</translation>
    </message>
    <message>
        <source>Read the applicant&apos;s ID card</source>
        <translation>读取申请人身份证</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号码</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>Enterprise name</source>
        <translation>企业名称</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Legal representative</source>
        <translation>法定代表人</translation>
    </message>
    <message>
        <source>Contact person</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Contact phone</source>
        <translation>联系人电话</translation>
    </message>
    <message>
        <source>Address (optional)</source>
        <translation>地址（选填）</translation>
    </message>
    <message>
        <source>Applying through an agent (代办)</source>
        <translation>委托他人代办</translation>
    </message>
    <message>
        <source>Agent&apos;s name</source>
        <translation>代办人姓名</translation>
    </message>
    <message>
        <source>Agent&apos;s ID number</source>
        <translation>代办人身份证号码</translation>
    </message>
    <message>
        <source>Agent&apos;s phone</source>
        <translation>代办人联系电话</translation>
    </message>
    <message>
        <source>Read agent&apos;s ID card</source>
        <translation>读代办人身份证</translation>
    </message>
    <message>
        <source>Read the agent&apos;s ID card</source>
        <translation>读取代办人身份证</translation>
    </message>
</context>
<context>
    <name>BundlePage</name>
    <message>
        <source>One-stop bundle (一件事)</source>
        <translation>一件事</translation>
    </message>
    <message>
        <source>How the result returns</source>
        <translation>结果送达方式</translation>
    </message>
    <message>
        <source>Take in once (every member item)</source>
        <translation>一次收件（全部成员事项）</translation>
    </message>
    <message>
        <source>Print the bundle&apos;s receipt</source>
        <translation>打印一件事收件回执</translation>
    </message>
    <message>
        <source>Ask the applicant to rate (one rating for the bundle)</source>
        <translation>请群众评价（一件事一评）</translation>
    </message>
    <message>
        <source>Back to the item list</source>
        <translation>返回事项列表</translation>
    </message>
    <message>
        <source>Items taken in this time ({n}): </source>
        <translation>本次办理 {n} 项：</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <source>Attach a scan of {name} from a file</source>
        <translation>从文件添加{name}的扫描件</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>高拍</translation>
    </message>
    <message>
        <source>Scan {name} with the document camera</source>
        <translation>用高拍仪拍摄{name}</translation>
    </message>
    <message>
        <source>Attach a scan</source>
        <translation>添加扫描件</translation>
    </message>
    <message>
        <source>Scans (*.pdf *.jpg *.jpeg *.png);;All files (*)</source>
        <translation>扫描件 (*.pdf *.jpg *.jpeg *.png);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Saving scan…</source>
        <translation>正在保存扫描件…</translation>
    </message>
    <message>
        <source>Scans: {names}</source>
        <translation>扫描件：{names}</translation>
    </message>
    <message>
        <source>Waiting for the scan to be saved</source>
        <translation>正在保存扫描件，保存完成后才能提交</translation>
    </message>
    <message>
        <source>Received: {name}, bundle case number {number}</source>
        <translation>已收件：{name}，一件事办件编号 {number}</translation>
    </message>
    <message>
        <source>Receipt output ({where})</source>
        <translation>回执已输出（{where}）</translation>
    </message>
</context>
<context>
    <name>CounterFlow</name>
    <message>
        <source>Clerk {number} {name}</source>
        <translation>工号 {number} {name}</translation>
    </message>
    <message>
        <source>The item of the unfinished case is no longer offered. Choose another item on the left: the applicant&apos;s details typed before are kept.</source>
        <translation>上次未完成办件的事项已停用。请在左侧另选事项，之前录入的申请人信息会保留。</translation>
    </message>
    <message>
        <source>The unfinished case from before was restored. Check it and carry on.</source>
        <translation>已恢复上次未完成的办件，请核对后继续办理。</translation>
    </message>
    <message>
        <source>Signed out after 10 idle minutes; the draft was saved.</source>
        <translation>10分钟无操作已自动退出，草稿已保存。</translation>
    </message>
    <message>
        <source>Discard draft</source>
        <translation>放弃草稿</translation>
    </message>
    <message>
        <source>Discard this case? Everything entered for it will be deleted.</source>
        <translation>确定放弃本件吗？已录入的内容将全部删除。</translation>
    </message>
</context>
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
    <message>
        <source>Terminal not registered</source>
        <translation>终端 未注册</translation>
    </message>
</context>
<context>
    <name>DailyReportDialog</name>
    <message>
        <source>Daily report</source>
        <translation>日结报表</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Date of the report</source>
        <translation>报表日期</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出CSV…</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出PDF…</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <source>Sent to printer {name}</source>
        <translation>已发送到打印机 {name}</translation>
    </message>
    <message>
        <source>Export daily report</source>
        <translation>导出日结报表</translation>
    </message>
</context>
<context>
    <name>DeadLettersDialog</name>
    <message>
        <source>Case</source>
        <translation>办件</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Records rejected by the platform</source>
        <translation>被平台拒收的记录</translation>
    </message>
    <message>
        <source>Rejected records</source>
        <translation>被拒记录</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Upload the selected again</source>
        <translation>重新上传所选</translation>
    </message>
    <message>
        <source>Export to a file…</source>
        <translation>导出到文件…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>{count} in total</source>
        <translation>共 {count} 条</translation>
    </message>
    <message>
        <source>Exported {count} to {path} (personal data left out)</source>
        <translation>已导出 {count} 条到 {path}（个人信息已隐去）</translation>
    </message>
    <message>
        <source>Export the rejected records</source>
        <translation>导出被拒收的记录</translation>
    </message>
</context>
<context>
    <name>DeliveryPanel</name>
    <message>
        <source>Routing and result delivery</source>
        <translation>流转与结果送达</translation>
    </message>
    <message>
        <source>How originals travel</source>
        <translation>原件流转方式</translation>
    </message>
    <message>
        <source>Electronic only (originals returned)</source>
        <translation>仅电子流转（原件退还申请人）</translation>
    </message>
    <message>
        <source>Mail originals to the department</source>
        <translation>原件邮寄至审批部门</translation>
    </message>
    <message>
        <source>How the result returns</source>
        <translation>结果送达方式</translation>
    </message>
    <message>
        <source>Originals</source>
        <translation>原件</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果送达</translation>
    </message>
    <message>
        <source>Tracking number (can be entered later)</source>
        <translation>原件邮寄单号（可稍后填写）</translation>
    </message>
    <message>
        <source>Mailing address</source>
        <translation>邮寄地址</translation>
    </message>
    <message>
        <source>Postcode</source>
        <translation>邮政编码</translation>
    </message>
    <message>
        <source>Recipient phone (default: applicant&apos;s)</source>
        <translation>收件人电话（默认申请人电话）</translation>
    </message>
    <message>
        <source>Received at {hall}, window {window}; decided by {department} ({jurisdiction}).</source>
        <translation>收件：{hall} {window}号窗口；审批：{department}（{jurisdiction}）。</translation>
    </message>
    <message>
        <source> at this hall</source>
        <translation>（本大厅）</translation>
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
    <name>GuidePage</name>
    <message>
        <source>Previous question</source>
        <translation>上一题</translation>
    </message>
    <message>
        <source>Back to the item list</source>
        <translation>返回事项列表</translation>
    </message>
    <message>
        <source>Which 一件事 does the applicant want to do?</source>
        <translation>群众要办理哪一件事？</translation>
    </message>
    <message>
        <source>Print the list (一次性告知单)</source>
        <translation>打印一次性告知单</translation>
    </message>
    <message>
        <source>Save the list as PDF</source>
        <translation>告知单另存为PDF</translation>
    </message>
    <message>
        <source>Show as QR for a phone</source>
        <translation>显示二维码（手机扫码查看）</translation>
    </message>
    <message>
        <source>QR code of the materials list</source>
        <translation>材料清单二维码</translation>
    </message>
    <message>
        <source>Ask for a rating of this consultation</source>
        <translation>请群众评价本次咨询</translation>
    </message>
    <message>
        <source>Go ahead with intake</source>
        <translation>按此情形收件</translation>
    </message>
    <message>
        <source>Change the answers</source>
        <translation>修改回答</translation>
    </message>
    <message>
        <source>Guide: {name} ({code})</source>
        <translation>办事指南：{name}（{code}）</translation>
    </message>
    <message>
        <source>Guide: 一件事一次办</source>
        <translation>办事指南：一件事一次办</translation>
    </message>
    <message>
        <source>Go ahead with the 一件事 intake</source>
        <translation>办理（进入一件事收件）</translation>
    </message>
    <message>
        <source>Question {n}</source>
        <translation>第 {n} 题</translation>
    </message>
    <message>
        <source>Situation:</source>
        <translation>办事情形：</translation>
    </message>
    <message>
        <source>Shared documents (brought once):</source>
        <translation>共享材料（只交一次）：</translation>
    </message>
    <message>
        <source>No other documents</source>
        <translation>无其他材料</translation>
    </message>
    <message>
        <source>Materials to bring:</source>
        <translation>所需材料：</translation>
    </message>
    <message>
        <source>The list was printed ({where}).</source>
        <translation>告知单已输出（{where}）。</translation>
    </message>
    <message>
        <source>The citizen&apos;s screen asks for a rating of this consultation.</source>
        <translation>已请群众在评价器上评价本次咨询。</translation>
    </message>
</context>
<context>
    <name>IdlePage</name>
    <message>
        <source>Window {window}</source>
        <extracomment>Smallest side of a touch target on this screen (issue 5: at least 60 px).</extracomment>
        <translation>{window}号窗口</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Welcome. Please rate our service when you are done.</source>
        <translation>欢迎光临！办理结束后，请您对我们的服务进行评价。</translation>
    </message>
    <message>
        <source>Staff member</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <source>Staff no. {no}</source>
        <translation>工号 {no}</translation>
    </message>
</context>
<context>
    <name>IntakeFormPage</name>
    <message>
        <source>Case form</source>
        <translation>申请表</translation>
    </message>
    <message>
        <source>Discard draft</source>
        <translation>放弃草稿</translation>
    </message>
    <message>
        <source>Submit (Ctrl+Enter)</source>
        <translation>提交 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Submit the case</source>
        <translation>提交办件</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>收件决定</translation>
    </message>
    <message>
        <source>Refuse (不予收件) with a reason</source>
        <translation>不予收件（须填写理由）</translation>
    </message>
    <message>
        <source>Reason for refusing</source>
        <translation>不予收件理由</translation>
    </message>
    <message>
        <source>Missing: {names}</source>
        <translation>缺少材料：{names}</translation>
    </message>
    <message>
        <source>Receive with a one-time notice (一次性告知书) of what is missing</source>
        <translation>收件并出具一次性告知书（告知所缺材料）</translation>
    </message>
    <message>
        <source>All required materials received.</source>
        <translation>必需材料已收齐。</translation>
    </message>
    <message>
        <source>Receive (收件)</source>
        <translation>收件</translation>
    </message>
    <message>
        <source>Read the applicant&apos;s ID card first, then fetch again.</source>
        <translation>请先读取申请人身份证，再调取电子证照。</translation>
    </message>
    <message>
        <source>Fetching e-licences… (collect paper meanwhile if needed)</source>
        <translation>正在调取电子证照……（如需要，可同时收取纸质材料）</translation>
    </message>
    <message>
        <source>Waiting for the scan to be saved</source>
        <translation>正在保存扫描件，保存完成后才能提交</translation>
    </message>
    <message>
        <source>Draft not saved: {reason}</source>
        <translation>草稿未能保存：{reason}</translation>
    </message>
    <message>
        <source>Not saved: {reason} Everything entered is kept.</source>
        <translation>未能保存：{reason} 已录入的内容均保留。</translation>
    </message>
    <message>
        <source>Please fix before submitting:</source>
        <translation>提交前请修改以下内容：</translation>
    </message>
</context>
<context>
    <name>ItemGuide</name>
    <message>
        <source>Item guide</source>
        <translation>办事指南</translation>
    </message>
</context>
<context>
    <name>ItemPicker</name>
    <message>
        <source>Service item</source>
        <translation>办理事项</translation>
    </message>
    <message>
        <source>Name, code or pinyin initials (e.g. bdc)</source>
        <translation>名称、编码或拼音首字母（如 bdc）</translation>
    </message>
    <message>
        <source>Search service items</source>
        <translation>搜索办理事项</translation>
    </message>
    <message>
        <source>Matching service items</source>
        <translation>匹配的办理事项</translation>
    </message>
    <message>
        <source>Guide: which materials for this situation (F4)</source>
        <translation>办事指南：按情形列出所需材料 (F4)</translation>
    </message>
    <message>
        <source>一件事一次办…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guide for a 一件事…</source>
        <translation>一件事办事指南…</translation>
    </message>
</context>
<context>
    <name>LevelPage</name>
    <message>
        <source>How satisfied are you with this service?</source>
        <translation>请您对本次服务进行评价</translation>
    </message>
    <message>
        <source>Service: {item}</source>
        <translation>办理事项：{item}</translation>
    </message>
    <message>
        <source>Staff no. {no}</source>
        <translation>工号 {no}</translation>
    </message>
</context>
<context>
    <name>MaterialRow</name>
    <message>
        <source>Conditional: {condition}</source>
        <translation>视情形提供：{condition}</translation>
    </message>
    <message>
        <source>Status of {name}:</source>
        <translation>{name} 的状态：</translation>
    </message>
    <message>
        <source>Original received</source>
        <translation>收原件</translation>
    </message>
    <message>
        <source>Copy received</source>
        <translation>收复印件</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>缺</translation>
    </message>
    <message>
        <source>Not applicable</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>Number of copies of {name}</source>
        <translation>{name}的份数</translation>
    </message>
    <message>
        <source>Note (why missing or defective)</source>
        <translation>说明（缺少或不合格的原因）</translation>
    </message>
    <message>
        <source>Note on {name}</source>
        <translation>{name}的说明</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <source>Attach a scan of {name} from a file</source>
        <translation>从文件添加{name}的扫描件</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>高拍</translation>
    </message>
    <message>
        <source>Scan {name} with the document camera</source>
        <translation>用高拍仪拍摄{name}</translation>
    </message>
    <message>
        <source>E-licence fetched</source>
        <translation>电子证照已调取</translation>
    </message>
    <message>
        <source>Saving scan…</source>
        <translation>正在保存扫描件…</translation>
    </message>
    <message>
        <source>E-licence fetched: {number} (no paper, no scan)</source>
        <translation>电子证照已调取：{number}（免交纸质材料，无需扫描）</translation>
    </message>
    <message>
        <source>Scans: {names}</source>
        <translation>扫描件：{names}</translation>
    </message>
</context>
<context>
    <name>MaterialsPanel</name>
    <message>
        <source>Materials</source>
        <translation>申请材料</translation>
    </message>
    <message>
        <source>Applicant consents to fetching e-licences</source>
        <translation>申请人同意调取本人电子证照</translation>
    </message>
    <message>
        <source>Fetch e-licences</source>
        <translation>调取电子证照</translation>
    </message>
    <message>
        <source>Attach a scan</source>
        <translation>添加扫描件</translation>
    </message>
    <message>
        <source>Scans (*.pdf *.jpg *.jpeg *.png);;All files (*)</source>
        <translation>扫描件 (*.pdf *.jpg *.jpeg *.png);;所有文件 (*)</translation>
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
    <name>PlatformSettingsDialog</name>
    <message>
        <source>Platform settings</source>
        <translation>平台设置</translation>
    </message>
    <message>
        <source>Platform address</source>
        <translation>平台地址</translation>
    </message>
    <message>
        <source>One-time enrolment code</source>
        <translation>一次性注册码</translation>
    </message>
    <message>
        <source>Enrol this terminal</source>
        <translation>注册本终端</translation>
    </message>
    <message>
        <source>Change device key</source>
        <translation>更换密钥</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Enter the platform address, starting with https://.</source>
        <translation>请输入平台地址，以 https:// 开头。</translation>
    </message>
    <message>
        <source>Enter the one-time code the platform administrator gave you.</source>
        <translation>请输入平台管理员提供的一次性注册码。</translation>
    </message>
    <message>
        <source>Enrolling with the platform…</source>
        <translation>正在向平台注册…</translation>
    </message>
    <message>
        <source>Changing the device key…</source>
        <translation>正在更换密钥…</translation>
    </message>
</context>
<context>
    <name>PrintPreviewDialog</name>
    <message>
        <source>打印预览</source>
        <extracomment>Preview width on screen; pages are scaled to it.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>收件回执预览</source>
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
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>RatingWindow</name>
    <message>
        <source>Rate our service — {hall}</source>
        <translation>服务评价 — {hall}</translation>
    </message>
    <message>
        <source>Your rating could not be saved. Please try again.</source>
        <translation>评价暂未保存成功，请再点一次。</translation>
    </message>
</context>
<context>
    <name>RatingsPanel</name>
    <message>
        <source>Service rating</source>
        <translation>好差评</translation>
    </message>
    <message>
        <source>Ask for a rating (visit without a case)</source>
        <translation>请评价（咨询，无办件）</translation>
    </message>
    <message>
        <source>No rating asked yet</source>
        <translation>尚未发起评价</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>好差评</translation>
    </message>
    <message>
        <source>Ask for a rating</source>
        <translation>请评价</translation>
    </message>
    <message>
        <source>Daily report…</source>
        <translation>日结报表…</translation>
    </message>
    <message>
        <source>Today: {rated} rated, good {share}, not rated {unrated}</source>
        <translation>今日已评价 {rated} 次，好评率 {share}，未评价 {unrated} 次</translation>
    </message>
    <message>
        <source>Waiting for the citizen to rate case {case}</source>
        <translation>等待群众评价办件 {case}</translation>
    </message>
    <message>
        <source>Waiting for the citizen to rate this visit</source>
        <translation>等待群众评价本次服务</translation>
    </message>
    <message>
        <source>Not rated: the citizen left without rating (recorded)</source>
        <translation>未评价：群众未作评价（已记录）</translation>
    </message>
    <message>
        <source>Rated: {level}</source>
        <translation>已评价：{level}</translation>
    </message>
    <message>
        <source>Poor rating received ({level}): {reasons}. The hall supervisor has been notified.</source>
        <translation>收到差评（{level}）：{reasons}。已通知值班主任。</translation>
    </message>
</context>
<context>
    <name>ReasonsPage</name>
    <message>
        <source>Other comments (optional, up to {n} characters)</source>
        <translation>其他意见（选填，最多{n}字）</translation>
    </message>
    <message>
        <source>Keyboard</source>
        <translation>键盘输入</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Submit rating</source>
        <translation>提交评价</translation>
    </message>
    <message>
        <source>You chose “{level}”. What did not go well? (choose one or more)</source>
        <translation>您选择了“{level}”，请选择不满意的原因（可多选）</translation>
    </message>
    <message>
        <source>I agree to be called back about this rating at {phone}</source>
        <translation>同意工作人员就此评价回访（联系电话 {phone}）</translation>
    </message>
    <message>
        <source>Hide keyboard</source>
        <translation>收起键盘</translation>
    </message>
</context>
<context>
    <name>SessionPage</name>
    <message>
        <source>New case (Ctrl+N)</source>
        <translation>新办件 (Ctrl+N)</translation>
    </message>
    <message>
        <source>Today&apos;s cases (F3)</source>
        <translation>今日办件 (F3)</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Search and choose a service item on the left (Enter) to start a case.</source>
        <translation>请在左侧搜索并选择办理事项（回车）开始收件。</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <source>Clerk sign-in</source>
        <translation>工作人员登录</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>SubmitResultPage</name>
    <message>
        <source>Case number</source>
        <translation>办件编号</translation>
    </message>
    <message>
        <source>Print refusal notice</source>
        <translation>打印不予收件告知书</translation>
    </message>
    <message>
        <source>Print the refusal notice (不予收件告知书)</source>
        <translation>打印不予收件告知书</translation>
    </message>
    <message>
        <source>Next case (Ctrl+N)</source>
        <translation>下一件 (Ctrl+N)</translation>
    </message>
    <message>
        <source>Today&apos;s cases (F3)</source>
        <translation>今日办件 (F3)</translation>
    </message>
    <message>
        <source>Refused (不予收件) and recorded</source>
        <translation>已记录不予收件</translation>
    </message>
    <message>
        <source>Received (收件)</source>
        <translation>收件成功</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>理由：{reason}</translation>
    </message>
    <message>
        <source>One-time notice of missing materials: {names}</source>
        <translation>一次性告知所缺材料：{names}</translation>
    </message>
    <message>
        <source> (estimated)</source>
        <translation>（预计）</translation>
    </message>
    <message>
        <source>Expected completion: {date}</source>
        <translation>预计办结日期：{date}</translation>
    </message>
    <message>
        <source>Printing the receipt…</source>
        <translation>正在打印收件回执…</translation>
    </message>
    <message>
        <source>Hand the applicant a refusal notice: print it here.</source>
        <translation>请为申请人打印不予收件告知书。</translation>
    </message>
    <message>
        <source>Printing the refusal notice…</source>
        <translation>正在打印不予收件告知书…</translation>
    </message>
    <message>
        <source>Refusal notice printed ({where}).</source>
        <translation>不予收件告知书已打印（{where}）。</translation>
    </message>
    <message>
        <source>Receipt printed ({where}).</source>
        <translation>收件回执已打印（{where}）。</translation>
    </message>
    <message>
        <source>Not printed: {reason} The case is saved; print it again from today&apos;s cases.</source>
        <translation>未打印：{reason} 办件已保存，可在今日办件中重新打印。</translation>
    </message>
</context>
<context>
    <name>SyncStatusPanel</name>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>less than 1 minute</source>
        <translation>不到 1 分钟</translation>
    </message>
    <message>
        <source>{minutes} minutes</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <source>{hours} hours {minutes} minutes</source>
        <translation>{hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>{days} days {hours} hours</source>
        <translation>{days} 天 {hours} 小时</translation>
    </message>
    <message>
        <source>never</source>
        <translation>尚无</translation>
    </message>
    <message>
        <source>Records rejected by the platform</source>
        <translation>被平台拒收的记录</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>All uploaded, platform not reached</source>
        <translation>已全部上传，平台未连通</translation>
    </message>
    <message>
        <source>{count} waiting to upload, oldest {age}</source>
        <translation>待上传 {count} 条，最早 {age}</translation>
    </message>
    <message>
        <source>Last success: {time}</source>
        <translation>上次成功：{time}</translation>
    </message>
    <message>
        <source>The platform lacks {count} older records that are past retention here and cannot be resent; tell the administrator</source>
        <translation>平台缺少 {count} 条较早的记录，本机已过保存期限无法重发，请联系管理员</translation>
    </message>
    <message>
        <source>Records have waited long to upload; check the network or tell the administrator</source>
        <translation>有记录长时间未上传，请检查网络或联系管理员</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is wrong; set the system time</source>
        <translation>本机时钟不准，请校准系统时间</translation>
    </message>
    <message>
        <source>{count} rejected by the platform</source>
        <translation>{count} 条被平台拒收</translation>
    </message>
    <message>
        <source>Checked with the platform {time}: {count} resent</source>
        <translation>已与平台核对 {time}：补传 {count} 条</translation>
    </message>
    <message>
        <source>Last check with the platform: {time}</source>
        <translation>上次与平台核对：{time}</translation>
    </message>
</context>
<context>
    <name>SyncUi</name>
    <message>
        <source>Connecting to the platform…</source>
        <translation>正在连接平台…</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>管理</translation>
    </message>
    <message>
        <source>Platform enrolment…</source>
        <translation>平台注册…</translation>
    </message>
    <message>
        <source>Change device key</source>
        <translation>更换密钥</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Rejected records…</source>
        <translation>被平台拒收的记录…</translation>
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
    <name>ThanksPage</name>
    <message>
        <source>Thank you for your rating!</source>
        <translation>感谢您的评价！</translation>
    </message>
    <message>
        <source>Your rating: {level}</source>
        <translation>您的评价：{level}</translation>
    </message>
    <message>
        <source>Already rated, thank you</source>
        <translation>已评价，谢谢</translation>
    </message>
</context>
<context>
    <name>TodayCasesPage</name>
    <message>
        <source>Search by case number or masked name</source>
        <translation>按办件编号或姓名（脱敏）搜索</translation>
    </message>
    <message>
        <source>Search today&apos;s cases</source>
        <translation>搜索今日办件</translation>
    </message>
    <message>
        <source>Filter by state</source>
        <translation>按状态筛选</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Filter by state:</source>
        <translation>按状态筛选：</translation>
    </message>
    <message>
        <source>Today&apos;s cases</source>
        <translation>今日办件</translation>
    </message>
    <message>
        <source>Case detail</source>
        <translation>办件详情</translation>
    </message>
    <message>
        <source>Tracking number of the mailed originals</source>
        <translation>原件邮寄单号</translation>
    </message>
    <message>
        <source>Record tracking number</source>
        <translation>录入邮寄单号</translation>
    </message>
    <message>
        <source>Print on</source>
        <translation>打印到</translation>
    </message>
    <message>
        <source>Configured printer</source>
        <translation>默认打印机</translation>
    </message>
    <message>
        <source>A4 printer</source>
        <translation>A4打印机</translation>
    </message>
    <message>
        <source>Receipt printer (thermal)</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <source>PDF file</source>
        <translation>PDF文件</translation>
    </message>
    <message>
        <source>Print on:</source>
        <translation>打印到：</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Reprint (补打)</source>
        <translation>补打</translation>
    </message>
    <message>
        <source>Prints that failed</source>
        <translation>打印失败的回执</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Save as PDF instead</source>
        <translation>改为输出PDF</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>办件编号</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <source>Printed ({where}).</source>
        <translation>已打印（{where}）。</translation>
    </message>
    <message>
        <source>Not printed: {reason}</source>
        <translation>未打印：{reason}</translation>
    </message>
    <message>
        <source>{case}  {time}  {reason}</source>
        <translation>{case}  {time}  {reason}</translation>
    </message>
    <message numerus="yes">
        <source>%n print(s) failed: retry, save as PDF or dismiss.</source>
        <translation>
            <numerusform>%n 份回执打印失败：可重试、改为输出PDF或忽略。</numerusform>
        </translation>
    </message>
    <message>
        <source>Case not found</source>
        <translation>未找到该办件</translation>
    </message>
</context>
<context>
    <name>UnsyncedBanner</name>
    <message>
        <source>Some records have not reached the platform for more than {minutes} minutes. They are kept safely on this computer; check the network or tell the administrator.</source>
        <translation>有记录超过 {minutes} 分钟未上传到平台（已安全保存在本机），请检查网络或联系管理员。</translation>
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
<context>
    <name>accessible</name>
    <message>
        <source>Clear the search</source>
        <translation>清除搜索</translation>
    </message>
</context>
<context>
    <name>start</name>
    <message>
        <source>Tongban Terminal</source>
        <extracomment>The counter window&apos;s second tier (services, session views, sync panel, citizen rating screen) is built this long after the event loop&apos;s first turn: after the first paint of the sign-in page, which needs none of it (issue 13).</extracomment>
        <translation>通办终端</translation>
    </message>
</context>
</TS>
