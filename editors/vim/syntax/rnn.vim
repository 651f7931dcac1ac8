" Vim syntax file for rnnc's .rnn models (docs/language.md).
" The keyword, function and unit lists are those of grammar/lexer.re,
" grammar/parser.y (%fallback: the soft keywords), compiler/check/builtins.c
" and compiler/front/units.c; tests/editors_test.py checks that they are.

if exists("b:current_syntax")
  finish
endif

" Hard keywords: never names.
syn keyword rnnKeyword import neuron network plasticity task train evaluate record analyze
syn keyword rnnKeyword param input connect for in if else
syn keyword rnnOperatorWord and or not

" Soft keywords: keywords where the grammar expects them, names elsewhere.
syn keyword rnnSoftKeyword function state output let spike when reset refractory surrogate method
syn keyword rnnSoftKeyword pop readout feedback trace pre post on target duration draw
syn keyword rnnSoftKeyword frozen phase pulse at accuracy condition every

" Built-in functions, initialisers, connection rules and analyses.
syn keyword rnnBuiltin exp log tanh sigmoid sin cos relu abs floor round sqrt heaviside sign
syn keyword rnnBuiltin stop_gradient min max clip where
syn keyword rnnBuiltin randint uniform normal choice bernoulli poisson poisson_count trunc_exp
syn keyword rnnBuiltin latch peak spike_times convolve hann gaussian boxcar load
syn keyword rnnBuiltin orthogonal glorot_uniform glorot_normal zeros constant
syn keyword rnnBuiltin all_to_all one_to_one fixed_probability fixed_indegree fixed_outdegree
syn keyword rnnBuiltin eigen pca svd fixed_points robustness degradation psychometric

" A number, and the unit written after it ('30 ms', '15Hz').
syn match rnnNumber "\<\d\+\(\.\d\+\)\=\([eE][+-]\=\d\+\)\=" nextgroup=rnnUnit skipwhite
syn match rnnNumber "\.\d\+\([eE][+-]\=\d\+\)\=" nextgroup=rnnUnit skipwhite
syn keyword rnnUnit contained s ms us min step steps Hz kHz V mV uV A mA uA nA pA
syn keyword rnnUnit contained S mS uS nS Ohm kOhm MOhm GOhm F uF nF pF

" A derivative 'dv/dt', the name after a definition's keyword, strings, comments.
syn match rnnDerivative "\<d[A-Za-z_][A-Za-z0-9_]*/dt\>"
syn match rnnDefinition "\(\<\(neuron\|network\|plasticity\|task\|function\)\s\+\)\@<=[A-Za-z_][A-Za-z0-9_]*"
syn region rnnString start=+"+ end=+"+ oneline
syn keyword rnnTodo contained TODO FIXME XXX NOTE
syn match rnnComment "#.*$" contains=rnnTodo,@Spell
syn match rnnOperator "->\|<-\|+=\|-=\|\*=\|==\|!=\|<=\|>=\|\.\.\|[-+*/%^=<>]"

hi def link rnnKeyword      Statement
hi def link rnnOperatorWord Operator
hi def link rnnSoftKeyword  Keyword
hi def link rnnBuiltin      Function
hi def link rnnNumber       Number
hi def link rnnUnit         Type
hi def link rnnDerivative   Identifier
hi def link rnnDefinition   Function
hi def link rnnString       String
hi def link rnnComment      Comment
hi def link rnnTodo         Todo
hi def link rnnOperator     Operator

let b:current_syntax = "rnn"
