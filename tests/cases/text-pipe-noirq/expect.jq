.nr_events == 10 and .events.mm_page_alloc.total == 10 and .events.mm_page_free.total == 0 and .source.type == "trace_pipe" and .source.lines == 16
