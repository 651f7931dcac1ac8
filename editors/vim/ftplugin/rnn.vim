" rnnc's layout (rnnc fmt): two spaces a level, '#' comments.
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1
setlocal expandtab shiftwidth=2 softtabstop=2 commentstring=#\ %s comments=:#
let b:undo_ftplugin = "setlocal expandtab< shiftwidth< softtabstop< commentstring< comments<"

" :RnnFmt saves the file and formats it with rnnc fmt (which must be on
" PATH); a file with a syntax error is left as it is and the error shown.
command! -buffer RnnFmt update |
      \ let b:rnnfmt_out = system('rnnc fmt ' . shellescape(expand('%'))) |
      \ if v:shell_error | echo b:rnnfmt_out | else | edit | endif
let b:undo_ftplugin .= " | delcommand RnnFmt"
