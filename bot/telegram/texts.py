"""What the bot says, in Vietnamese: every fixed text in one place."""

MORE_BUTTON = "Thêm kết quả"

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
HELP = """Tôi trả lời câu hỏi về {articles} bài báo: trích đoạn văn liên quan nhất, \
kèm tên tệp nguồn và số đoạn.

Cách hỏi:
• Chat riêng: gõ câu hỏi, có dấu hoặc không dấu.
• Trong nhóm: /ask câu hỏi, nhắc @{username} kèm câu hỏi, hoặc trả lời một tin của bot.
• Ở bất kỳ đâu: gõ @{username} câu hỏi (inline).

Lệnh: /start, /help, /sources (danh sách bài), /ask câu hỏi.
Khi các bài viết không có thông tin, bot sẽ nói rõ."""
START = """Xin chào! {help}

Thử hỏi:
• {example}
• {bare_example}"""
