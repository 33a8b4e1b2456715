"""What the adapters say, in Vietnamese: every fixed text of the console, the command line
and Telegram in one place (the answering core's own are in retrieval/reply/phrases.py)."""

MORE_BUTTON = "Thêm kết quả"
UP_BUTTON, DOWN_BUTTON = "👍", "👎"
VOTED = "Cảm ơn bạn đã đánh giá {vote}"
VOTED_ALREADY = "Bạn đã đánh giá {vote} rồi"
VOTE_NOT_KEPT = "Chưa ghi nhận được đánh giá; hãy thử lại sau."

ASK_USAGE = "Cách hỏi trong nhóm: /ask câu hỏi — ví dụ: /ask {example}"
NON_TEXT_HINT = "Tôi chỉ đọc được câu hỏi bằng chữ. Hãy gõ câu hỏi, ví dụ: {example}"
REFUSAL = "Xin lỗi, bot này chỉ phục vụ một số cuộc trò chuyện được cho phép."
LOST_QUESTION = "Không tìm thấy câu hỏi gốc; hãy gửi lại câu hỏi."
SLOW_DOWN = "Bạn hỏi nhanh quá. Vui lòng đợi khoảng {seconds} giây rồi hỏi tiếp."
LATE = "Xin lỗi vì trả lời muộn: câu hỏi này đã chờ khoảng {minutes} phút do bot gián đoạn."
NO_MORE = "Không còn kết quả nào khác."
UNKNOWN_COMMAND = "Không có lệnh này. Gõ /help để xem cách hỏi."
INLINE_HELP_TITLE = "Gõ câu hỏi về các bài viết"
INLINE_NOT_FOUND_TITLE = "Không tìm thấy"
INLINE_RELATED_TITLE = "Có thể liên quan: {}"  # an inline result the bot is not sure answers
HELP = """Tôi trả lời câu hỏi về {articles} bài báo: trích đoạn văn liên quan nhất, \
kèm tên tệp nguồn và số đoạn.

Cách hỏi:
• Chat riêng: gõ câu hỏi, có dấu hoặc không dấu.
• Trong nhóm: /ask câu hỏi, nhắc @{username} kèm câu hỏi, hoặc trả lời một tin của bot.
• Ở bất kỳ đâu: gõ @{username} câu hỏi (inline).

Lệnh: /start, /help, /sources (danh sách bài), /moi (bài mới nhất; /moi chủ đề), \
/ask câu hỏi.
Khi các bài viết không có thông tin, bot sẽ nói rõ."""
START = """Xin chào! {help}

Thử hỏi:
• {example}
• {bare_example}"""

UPLOAD_ADMINS_ONLY = "Chỉ quản trị viên mới thêm được bài viết; hãy gửi câu hỏi bằng chữ."
UPLOAD_ADDED = "Đã thêm «{title}» — {paragraphs} đoạn ({name})."
UPLOAD_EXISTS = (
    "Đã có bài {name}. Trả lời tin nhắn chứa tệp bằng /thaythe để thay bài cũ bằng bài này."
)
UPLOAD_PROBLEMS = {
    "empty": "Tệp {name} trống: không có chữ nào để thêm.",
    "unreadable": "Không đọc được tệp {name}: tệp hỏng hoặc không đúng định dạng.",
    "too large": "Tệp {name} quá lớn: tối đa 20 MB.",
    "unsupported": "Không nhận tệp {name}: chỉ nhận .txt, .html, .htm, .docx và .pdf.",
}
REPLACE_USAGE = "Dùng /thaythe khi trả lời tin nhắn chứa tệp bài viết muốn thay."
DELETE_USAGE = "Cách xoá: /xoa tên-tệp.txt (tên như trong /sources)."
DELETED = "Đã xoá {name}."
NOT_AN_ARTICLE = "Không có bài {name} trong thư mục bài viết."
UNANSWERED = "Câu hỏi chưa trả lời được (none, related hoặc 👎), {days} ngày qua:\n{lines}"
NOTHING_UNANSWERED = "Không có câu hỏi nào chưa trả lời được trong {days} ngày qua."
KEEPING_OFF = "Bot không lưu câu hỏi: bật BOT_KEEP_QUESTIONS để xem câu hỏi chưa trả lời được."

FOLLOWING = "Đã theo dõi «{topic}»: bài mới về chủ đề này sẽ được gửi vào đây."
ALREADY_FOLLOWING = "Đang theo dõi «{topic}» rồi."
TOO_MANY_TOPICS = (
    "Mỗi cuộc trò chuyện theo dõi tối đa {limit} chủ đề; hãy /huytheodoi bớt một chủ đề."
)
UNFOLLOWED = "Đã huỷ theo dõi «{topic}»."
NOT_FOLLOWING = "Không theo dõi «{topic}». Gõ /theodoi để xem các chủ đề đang theo dõi."
FOLLOWED_TOPICS = "Đang theo dõi:\n{topics}\nHuỷ: /huytheodoi chủ đề"
NO_TOPICS = "Chưa theo dõi chủ đề nào. Ví dụ: /theodoi cầu Rồng Xanh"
UNFOLLOW_USAGE = "Cách huỷ: /huytheodoi chủ đề"
NEW_ARTICLE = "Bài mới về {topics}:"
MORE_ARTICLES = "… và {count} bài khác."
SOURCES_HEADING = "Các bài viết ({count}, mới nhất trước):"
NEWEST_HEADING = "Bài mới nhất:"
NEWEST_ON_TOPIC_HEADING = "Bài mới nhất về «{topic}»:"
NO_DATED_ARTICLES = "Chưa có bài nào ghi ngày đăng."
NO_NEWS_ON_TOPIC = "Không có bài nào có ngày đăng về «{topic}»."

# Telegram's command menu: (command, description)
COMMAND_MENU = (
    ("start", "Giới thiệu và ví dụ câu hỏi"),
    ("help", "Cách hỏi bot"),
    ("sources", "Danh sách bài viết"),
    ("moi", "Bài mới nhất: /moi hoặc /moi chủ đề"),
    ("ask", "Hỏi trong nhóm: /ask câu hỏi"),
    ("theodoi", "Theo dõi một chủ đề: /theodoi chủ đề"),
    ("huytheodoi", "Huỷ theo dõi: /huytheodoi chủ đề"),
)

# The console and the command line
CONSOLE_NOTICE = "BOT_TOKEN chưa được đặt: bot chạy trên dòng lệnh thay cho Telegram."
CONSOLE_GREETING = (
    "tin-bot — hỏi về {count} bài viết (có dấu hoặc không dấu). "
    "Gõ /help để xem cách dùng, /quit hoặc Ctrl-D để thoát."
)
CONSOLE_HELP = """Gõ một câu hỏi rồi nhấn Enter, có dấu hoặc không dấu, ví dụ: bi thu thanh uy la ai
Mỗi câu trả lời trích đoạn văn liên quan nhất, kèm tên tệp nguồn và số đoạn.
Lệnh:
  /ask câu hỏi   hỏi (như gõ thẳng câu hỏi)
  /sources       danh sách {count} bài viết (bài có ngày đăng: mới nhất trước)
  /moi [chủ đề]  5 bài mới nhất (về một chủ đề)
  /help          hướng dẫn này
  /quit, quit    thoát (hoặc Ctrl-D)"""
CONSOLE_UNKNOWN_COMMAND = "Không có lệnh {command}. Gõ /help để xem các lệnh."
