" .rnn files are rnnc models.
autocmd BufRead,BufNewFile *.rnn setfiletype rnn
