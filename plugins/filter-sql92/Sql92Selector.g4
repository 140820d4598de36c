// The SQL92 subscription grammar of RocketMQ 4.x (MessageSelector.bySql) and of JMS message
// selectors, which the AMQP-JMS plugin will reuse. The C++ parser is generated from this
// file at build time (CMakeLists.txt runs Debian's antlr4 tool); sql92_parser.cc turns the
// parse tree into the expression tree of sql92_expression.h, where the semantics live.
//
// Precedence, loosest first (JMS 2.0 §3.8.1.1): OR, AND, NOT, comparison / BETWEEN / IN /
// LIKE / IS NULL, + -, * / %, unary + -. Keywords are case-insensitive; property names are
// not. Prefix operators repeat in a loop, not by recursion, so only parentheses nest the
// parser (sql92_parser.cc bounds their depth before parsing).
//
// Token names NULL_LIT, TRUE_LIT and FALSE_LIT: NULL, TRUE and FALSE collide with C macros
// in the generated code.
grammar Sql92Selector;

selector : orExpr EOF ;

orExpr : andExpr (OR andExpr)* ;

andExpr : notExpr (AND notExpr)* ;

notExpr : NOT* predicate ;

// The operator after the first operand picks the alternative, so the parser never looks
// ahead over a whole operand to decide (LL(2)).
predicate : sum predicateTail? ;

predicateTail
  : op=(EQ | NE | LT | LE | GT | GE) sum                  # comparison
  | NOT? BETWEEN sum AND sum                              # between
  | NOT? IN LPAREN STRING (COMMA STRING)* RPAREN          # inList
  | NOT? LIKE pattern=STRING (ESCAPE escape=STRING)?      # like
  | IS NOT? NULL_LIT                                      # isNull
  ;

sum : product (sumOps+=(PLUS | MINUS) product)* ;

product : unary (productOps+=(STAR | SLASH | PERCENT) unary)* ;

unary : signs+=(PLUS | MINUS)* primary ;

primary
  : literal                     # literalPrimary
  | ID                          # property
  | LPAREN orExpr RPAREN        # parenthesized
  ;

literal : STRING | INTEGER | DECIMAL | TRUE_LIT | FALSE_LIT | NULL_LIT ;

// Keywords, case-insensitive.
AND : [Aa] [Nn] [Dd] ;
OR : [Oo] [Rr] ;
NOT : [Nn] [Oo] [Tt] ;
BETWEEN : [Bb] [Ee] [Tt] [Ww] [Ee] [Ee] [Nn] ;
IN : [Ii] [Nn] ;
LIKE : [Ll] [Ii] [Kk] [Ee] ;
ESCAPE : [Ee] [Ss] [Cc] [Aa] [Pp] [Ee] ;
IS : [Ii] [Ss] ;
NULL_LIT : [Nn] [Uu] [Ll] [Ll] ;
TRUE_LIT : [Tt] [Rr] [Uu] [Ee] ;
FALSE_LIT : [Ff] [Aa] [Ll] [Ss] [Ee] ;

EQ : '=' ;
NE : '<>' ;
LT : '<' ;
LE : '<=' ;
GT : '>' ;
GE : '>=' ;
PLUS : '+' ;
MINUS : '-' ;
STAR : '*' ;
SLASH : '/' ;
PERCENT : '%' ;
LPAREN : '(' ;
RPAREN : ')' ;
COMMA : ',' ;

// 'it''s': a quote inside a string is written twice.
STRING : '\'' ( '\'\'' | ~'\'' )* '\'' ;
// 123, 123L (a Java long, as RocketMQ accepts)
INTEGER : [0-9]+ [Ll]? ;
// 1.5, 1., .5, 1e3, 1.5E-3
DECIMAL
  : [0-9]+ '.' [0-9]* EXPONENT?
  | '.' [0-9]+ EXPONENT?
  | [0-9]+ EXPONENT
  ;
fragment EXPONENT : [Ee] [+-]? [0-9]+ ;
ID : [a-zA-Z_$] [a-zA-Z0-9_$]* ;

LINE_COMMENT : '--' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS : [ \t\r\n\f]+ -> skip ;
