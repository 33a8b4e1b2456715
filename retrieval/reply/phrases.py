"""What the answering core says, in Vietnamese: its fixed texts in one place (the adapters'
own texts are in bot/texts.py)."""

USAGE_HINT = (
    "Hãy gõ một câu hỏi về các bài viết, có dấu hoặc không dấu, ví dụ: "
    "«Ai chủ trì Hội nghị sơ kết Thông tri 18?»"
)
NO_ANSWER = (
    "Xin lỗi, các bài viết hiện có không có thông tin trả lời câu hỏi này. "
    "Gõ /sources để xem danh sách bài viết."
)
# The line before passages the bot is not sure answer the question (tier `related`).
RELATED = "Các bài viết có thể không trả lời đúng câu hỏi này; các đoạn gần nhất:"
NOT_MENTIONED = "Các bài viết không nhắc đến {names}; các đoạn gần nhất:"
UNDERSTOOD_PREFIX = "Bạn hỏi: "
LEAD_PREFIX = "Trả lời: "
# Nothing published on the days a question names matches it ("hôm qua", "trong 3 ngày qua").
NOTHING_ON_DAYS_ABOUT = "Không có bài nào đăng {when} về «{topic}»; các đoạn gần nhất:"
NOTHING_ON_DAYS = "Không có bài nào đăng {when} khớp câu hỏi; các đoạn gần nhất:"
# Before a reply while a shard of the archive has no server answering (BOT_XAPIAN_SHARDS).
PARTLY_UNAVAILABLE = (
    "Một phần kho bài viết tạm thời không truy cập được; câu trả lời chỉ dựa trên phần còn lại."
)
