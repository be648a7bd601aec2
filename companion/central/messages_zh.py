"""The central service's own pages in Simplified Chinese, keyed by their English (see i18n.py).

Placeholders such as %(n)s stay as they are; Postguard stays in English. Draft text, reviewers'
comments, names and hosts are the users' own and are never translated.
tests/companion/test_central_i18n.py fails when a message of a central template, a label table of
web.py or an error a person can meet on these pages is missing here.
"""

ZH: dict[str, str] = {
    # frame
    "Central": "中心服务",
    "Approvals": "审批",
    "Review posts": "审查帖子",
    "Laptops": "笔记本电脑",
    "Language": "语言",
    "Sign out": "退出",
    "reviewer": "审查员",
    "admin": "管理员",
    "Times are UTC. Drafts are encrypted at rest and deleted after the retention IT sets; the decision and the hashes stay.":
        "时间均为 UTC。草稿加密存储，并在 IT 设定的保留期后删除；审批结果和哈希会保留。",
    # sign-in
    "Sign in": "登录",
    "Reviewers and admins of your company's social-media policy.": "贵公司社交媒体政策的审查员和管理员。",
    "User name": "用户名",
    "Password": "密码",
    "That user name and password do not match": "用户名和密码不匹配",
    "Too many wrong passwords: wait %(n)s second, then sign in again": "密码错误次数过多：请等待 %(n)s 秒后再登录",
    "Too many wrong passwords: wait %(n)s seconds, then sign in again": "密码错误次数过多：请等待 %(n)s 秒后再登录",
    # the queue
    "Approval requests": "审批请求",
    "Filter by status": "按状态筛选",
    "All": "全部",
    "Waiting": "待审批",
    "Approved": "已批准",
    "Rejected": "已拒绝",
    "Changes requested": "需修改",
    "Expired": "已过期",
    "%(n)s waiting for a decision": "%(n)s 个待审批",
    "Asked": "提交时间",
    "Salesperson": "销售人员",
    "Platform": "平台",
    "Found": "发现",
    "Status": "状态",
    "Decided": "审批时间",
    "on %(host)s": "（%(host)s）",
    "nothing": "无",
    "%(n)s photo": "%(n)s 张照片",
    "%(n)s photos": "%(n)s 张照片",
    "%(time)s by %(name)s": "%(time)s，%(name)s",
    "No requests.": "没有请求。",
    "No requests with this status.": "没有此状态的请求。",
    # one request
    "Request from %(name)s": "%(name)s 的请求",
    "All requests": "全部请求",
    "Draft from %(name)s": "%(name)s 的草稿",
    "Asked %(time)s for %(platform)s": "%(time)s 提交，用于 %(platform)s",
    "Asked %(time)s for a post": "%(time)s 提交，用于一篇帖子",
    "content %(hash)s…": "内容 %(hash)s…",
    "Text": "正文",
    "Findings": "发现的问题",
    "in photo %(n)s:": "照片 %(n)s 中：",
    "Postguard found nothing in this draft; the salesperson asked anyway.": "Postguard 未在此草稿中发现问题；销售人员仍提交了审批。",
    "Photos": "照片",
    "The draft was deleted after its retention (%(time)s). The decision and the hashes stay.":
        "草稿已在保留期后删除（%(time)s）。审批结果和哈希会保留。",
    "The draft was deleted after its retention. The decision and the hashes stay.":
        "草稿已在保留期后删除。审批结果和哈希会保留。",
    "Decision": "审批决定",
    "Comment for the salesperson": "给销售人员的意见",
    "Approve": "批准",
    "Request changes": "要求修改",
    "Reject": "拒绝",
    "The draft is deleted %(n)s day after you decide.": "您作出决定 %(n)s 天后草稿将被删除。",
    "The draft is deleted %(n)s days after you decide.": "您作出决定 %(n)s 天后草稿将被删除。",
    "The draft is deleted as soon as you decide.": "您作出决定后草稿将立即删除。",
    "Nobody decided in time (%(time)s); the salesperson was told and may ask again.":
        "无人按时审批（%(time)s）；已通知销售人员，可再次提交。",
    "%(status)s by %(name)s": "%(status)s · %(name)s",
    # laptops (admins)
    "Enrolled laptops": "已注册的笔记本电脑",
    "Laptop": "笔记本电脑",
    "User": "用户",
    "Enrolled": "注册时间",
    "Last heard from": "最近联系",
    "Code": "注册码",
    "never": "从未",
    "Revoked %(date)s": "已于 %(date)s 吊销",
    "Revoke": "吊销",
    "No laptop has enrolled yet.": "还没有笔记本电脑注册。",
    # error pages
    "Back to the approvals": "返回审批",
    "Not Found": "未找到",
    "Method Not Allowed": "不允许的请求方法",
    "Request Entity Too Large": "请求内容过大",
    "The central service failed; see its log": "中心服务出错；请查看其日志",
    "the central store is unavailable; try again shortly": "中心存储暂时不可用；请稍后再试",
    "only admins may open this page": "只有管理员可以打开此页面",
    "the form has expired or did not come from this page; reload it and try again": "表单已过期或并非来自此页面；请刷新后重试",
    "this form was sent from another site": "此表单来自其他网站",
    "the review page only answers its own pages; open it by its address": "审查页面只响应自己的页面；请通过其地址打开",
    "send the form as a form post": "请以表单方式提交",
    "there is no approval request with this id": "没有此编号的审批请求",
    "no such photo (the draft may have been deleted after its retention)": "没有这张照片（草稿可能已在保留期后删除）",
    "no such enrolled laptop, or it is already revoked": "没有这台已注册的笔记本电脑，或它已被吊销",
    "decision: approve, reject or changes": "审批：批准、拒绝或要求修改",
    "the pages are in English (en) or Chinese (zh)": "页面语言为英文 (en) 或中文 (zh)",
    # a laptop's requests (/api/v1): the error envelope's message, for Accept-Language zh (the relay
    # passes on the extension's); field names of the request stay as they are
    "the central service failed; see its log": "中心服务出错；请查看其日志",
    "the body must be a JSON object (Content-Type: application/json)":
        "请求内容必须是 JSON 对象（Content-Type: application/json）",
    "images: a list of at most %(n)s photos": "images：最多 %(n)s 张照片",
    "images[%(index)s].data: not base64 photo data": "images[%(index)s].data：不是 base64 编码的照片数据",
    "images[%(index)s].mime: a PNG, JPEG, GIF or WebP photo": "images[%(index)s].mime：须为 PNG、JPEG、GIF 或 WebP 照片",
    "findings: a list of at most %(n)s": "findings：最多 %(n)s 项",
    "text: the draft's text, at most %(n)s characters": "text：草稿正文，最多 %(n)s 个字符",
    "the draft has neither text nor photos": "草稿既没有正文也没有照片",
    "content_hash: does not match the text and photos received": "content_hash：与收到的正文和照片不一致",
    "this laptop sent no approval request with this id": "这台笔记本电脑没有发送过此编号的审批请求",
    "not an enrollment code": "这不是注册码",
    "this enrollment code is unknown, used up or expired; ask IT for a new one":
        "此注册码无效、已用完或已过期；请向 IT 索取新的注册码",
    "this laptop is not enrolled (no device token)": "这台笔记本电脑尚未注册（没有设备令牌）",
    "the central service does not know this device token": "中心服务不认识此设备令牌",
    "this laptop's enrollment was revoked; IT can enroll it again with a new code":
        "这台笔记本电脑的注册已被吊销；IT 可以用新的注册码重新注册",
    "an enrollment code needs at least one use and a positive number of days": "注册码至少要能使用一次，有效天数须为正数",
    # the laptop's side (client.py), relayed to the extension in its language
    "the central service %(url)s cannot be reached (%(reason)s)": "无法连接中心服务 %(url)s（%(reason)s）",
    "the central service %(url)s refused: %(message)s": "中心服务 %(url)s 拒绝了请求：%(message)s",
    "the central service %(url)s answered HTTP %(status)s": "中心服务 %(url)s 返回了 HTTP %(status)s",
    "this laptop is not enrolled with the central service and has no enrollment code (setting central_enroll_code)":
        "这台笔记本电脑尚未在中心服务注册，也没有注册码（设置 central_enroll_code）",
    # the central store's review tables being built (companion/central/store_build.py)
    "The review tables are being built (%(percent)s%%). Until they are ready, Review posts reads every event directly: nothing is left out, but its pages may be slower.":
        "审阅表正在建立（%(percent)s%%）。建好之前，“审查帖子”直接读取每一条事件：结果完整，但页面可能较慢。",
    "The review tables could not be built; the service's log and /health say why. Review posts reads every event directly: nothing is left out, but its pages are slower.":
        "审阅表未能建立，原因见服务日志和 /health。“审查帖子”直接读取每一条事件：结果完整，但页面较慢。",
}
