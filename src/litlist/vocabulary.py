"""The field's words, as search weighs them: abbreviations and their kin, the Korean
glossary and native verbs, and the words a description is phrased with. Data only, kept
by hand; `query` decides what each counts."""

from __future__ import annotations

# Abbreviations and what they stand for, and kin the stemmer keeps apart ("summary",
# "summarization"). A query holding a whole member of a group also finds a paper that says
# another member, counted at `query.SYNONYM_SIMILARITY`: "rl" finds "reinforcement learning" (by its
# rarest word), and "reinforcement learning" finds "RL" for both words. Hand-kept and small:
# a member widens every query that holds it.
SYNONYMS = (
    ("rl", "reinforcement learning"),
    ("kv", "key value"),
    ("qa", "question answering"),
    ("rag", "retrieval augmented"),
    ("nmt", "machine translation"),
    ("ner", "named entity"),
    ("icl", "in context learning"),
    ("ffn", "mlp", "feed forward"),
    ("sft", "supervised fine tuning"),
    ("nlu", "language understanding"),
    ("nlg", "language generation"),
    ("attn", "attention"),
    ("params", "parameters"),
    ("math", "mathematics", "mathematical"),
    # a word and its derived noun, which the stemmer leaves apart
    ("summary", "summarization"),
    ("explain", "explanation"),
    ("analysis", "analyses", "analyze"),
    ("compare", "comparison"),
    ("emphasis", "emphasize"),
    ("decide", "decision"),
    ("repeat", "repetition"),
    ("fail", "failure"),
    ("verify", "verification"),
    ("represent", "representation"),
    ("theory", "theoretical"),
    ("big", "large"),
    ("speedup", "faster", "acceleration"),
    ("mitigate", "alleviate", "reduce"),
    ("mechanistic", "mechanical"),  # the list names its topic "Mechanical Interpretability"
)
# The field's general vocabulary in Korean, as the English a catalog's summaries say it in
# (its Korean bullets are short and keep technical terms in English): a Korean query word
# also finds the English words, at `query.SYNONYM_SIMILARITY` and by the rarest of them. Keyed by
# the bare noun (`index.korean_stem`); "a|b" for a word with several senses. Hand-kept
# general terms, not words of any one paper.
KOREAN_TERMS = {
    term: tuple(sense.replace("_", " ") for sense in senses.split("|"))
    for term, senses in (
        pair.split("=")
        for pair in """
        학습=learning|training 훈련=training 사전학습=pretraining 사전훈련=pretraining
        미세조정=fine-tuning 파인튜닝=fine-tuning 튜닝=tuning 강화학습=reinforcement_learning
        지도학습=supervised 전이학습=transfer_learning 보상=reward 정책=policy 선호=preference
        선호도=preference 피드백=feedback 인간=human 사람=human 정렬=alignment 최적화=optimization
        최적=optimal 손실=loss 수렴=convergence 데이터=data 데이터셋=dataset 레이블=label
        라벨=label 주석=annotation 평가=evaluation 평가자=judge 심판=judge 반복=iterative
        자기=self 스스로=self 헌법=constitution 원칙=principle 비판=critique 수정=revision
        무해=harmless 유해=harmful 안전=safety 모델=model 언어=language 대형=large 대규모=large
        거대=large 트랜스포머=transformer 어텐션=attention 헤드=head 레이어=layer 계층=layer
        잔차=residual 정규화=normalization 임베딩=embedding 벡터=vector 행렬=matrix 가중치=weight
        파라미터=parameter 매개변수=parameter 저랭크=low-rank 랭크=rank 분해=decomposition
        근사=approximation 어댑터=adapter 프롬프트=prompt 토큰=token 어휘=vocabulary
        디코더=decoder 인코더=encoder 은닉=hidden 표현=representation 활성화=activation
        뉴런=neuron 로짓=logit 확률=probability 분포=distribution 엔트로피=entropy
        스펙트럼=spectrum 특이값=singular 신호=signal 추론=reasoning|inference 생성=generation
        디코딩=decoding 대조=contrastive|contrast 환각=hallucination 사실성=factuality
        사실=factual 진실성=truthfulness 충실=faithful 문맥=context 맥락=context 컨텍스트=context
        검색=retrieval 증강=augmented 노이즈=noise|noisy 잡음=noise|noisy 강건=robust 견고=robust
        지식=knowledge 충돌=conflict 질문=question 답변=answer 요약=summarization 번역=translation
        분류=classification 감성=sentiment 대화=dialogue 코드=code 수학=math 산술=arithmetic
        상식=commonsense 단계=step|stage 사고=thought 예시=exemplar|example|demonstration
        시연=demonstration 자동=automatic 다양성=diversity 군집=cluster 전문가=expert 조기=early
        종료=exit|termination 중간=middle|intermediate 초기=initial 마지막=last|final
        위치=position 길이=length 무한=infinite 스트리밍=streaming 캐시=cache 윈도우=window
        싱크=sink 보정=calibration 조종=steering 강조=emphasis 사용자=user 집중=focus|attend
        정보=information 흐름=flow 앵커=anchor 구문=syntax|syntactic 문법=syntax|grammar
        상호참조=coreference 해석=interpretation|interpretability 분석=analysis
        시각화=visualization 프로브=probe 제약=constraint 오류=error 예측=prediction 붕괴=collapse
        복사=copying 정밀도=precision 삭제=deletion 효율=efficient 메모리=memory 속도=speed
        비용=cost 망각=forgetting 성능=performance 정확도=accuracy 벤치마크=benchmark
        비교=comparison 통합=unified 이론=theory 제어=control 향상=improve 개선=improve
        완화=mitigate 유도=induce 층=layer 입력=input 출력=output 문서=document 문장=sentence
        단어=word 어휘집=vocabulary 무관=irrelevant 크기=size|scale 규모=scale 격차=gap
        저하=degradation|drop 감소=reduction|decrease 증가=increase 삽입=insertion 모듈=module
        블록=block 소프트=soft 연속=continuous 접두사=prefix 프롬프팅=prompting 제로샷=zero-shot
        퓨샷=few-shot 사슬=chain 연쇄=chain 생각=thought|think 능력=ability|capability 과제=task
        작업=task 태스크=task 일반화=generalization 견고성=robustness 성공=success 실패=failure
        문제=problem 해결=solving 응답=response 지시=instruction 명령어=instruction
        지시문=instruction 인스트럭션=instruction 에이전트=agent 계획=planning 도구=tool
        파이썬=python 인터프리터=interpreter 확장=scaling 스케일링=scaling 압축=compression
        양자화=quantization 가지치기=pruning 희소=sparse 밀집=dense 차원=dimension
        부분공간=subspace 공간=space 투영=projection 시퀀스=sequence 문맥내=in-context
        인컨텍스트=in-context 기억=memory|memorization 상태=state 은닉상태=hidden_state
        잔차스트림=residual_stream 정규=normalization 노름=norm 값=value 키=key 쿼리=query
        소프트맥스=softmax 편향=bias 다중=multi 멀티모달=multimodal 이미지=image 시각=visual
        학습률=learning_rate 배치=batch 에폭=epoch 기울기=gradient 경사=gradient
        역전파=backpropagation 직접=direct 프리픽스=prefix 러닝=learning 체인=chain
        차이=difference 교환=swap 아마추어=amateur 유지=retain|keep 제거=removal 추가=addition
        결합=combination 조합=combination 선택=selection 샘플링=sampling 샘플=sample 분산=variance
        평균=average 점수=score 순위=ranking 정답=correct|answer 한계=limitation 장점=advantage
        단점=weakness 강점=strength 약점=weakness 설명=explanation 이해=understanding
        관찰=observation 발견=finding 현상=phenomenon 원인=cause 영향=effect|impact 역할=role
        구조=structure 아키텍처=architecture 구성요소=component 연결=connection 경로=path
        병렬=parallel 직렬=serial 순차=sequential 게이트=gate|gating 게이팅=gating
        초기화=initialization 설정=setting 하이퍼파라미터=hyperparameter 규칙=rule 논리=logic
        계산=computation 연산=computation 게임=game 체스=chess 퍼즐=puzzle 프로그래밍=programming
        코딩=coding 생성형=generative 텍스트=text 개방형=open-ended 소형=small 작은=small 큰=large
        강한=strong 약한=weak 질의=query 인과=causal 그래프=graph 신경망=neural_network
        네트워크=network 병목=bottleneck 민감도=sensitivity 견해=perspective 관점=perspective
        신뢰=trust|reliable 신뢰성=reliability 충실도=faithfulness
        적응=adaptation 전용=only 세기=counting 절약=saving 조절=adjustment|control
        고정=frozen|fixed 동결=frozen 배포=deployment|deploying 운영=production
        처음=first|initial
        """.split()
    )
}
# Native Korean verbs and adjectives of the field, by the forms they start with however
# they end (배우고, 배워서, 배운 learn; 잊음, 잊어 forget): conjugation changes their stem,
# which no ending list undoes. A word starting with one (the longest) finds its English.
KOREAN_VERBS = {
    form: tuple(senses.split("|"))
    for forms, senses in (
        pair.split("=")
        for pair in """
        배우|배워|배운=learn 잊=forget 멈추|멈춰|멈춘=stop 빼|뺀=subtract 넣=insert
        붙이|붙여|붙인=attach 줄이|줄여|줄인=reduce 늘리|늘려|늘린=increase 높이|높여|높인=improve
        낮추|낮춰|낮춘=lower 찾=find 만들|만든=build 고르|골라|고른=select 나누|나눠|나눈=split
        합치|합쳐|합친=merge 바꾸|바꿔|바꾼=change 섞=mix 맞추|맞춰|맞춘=align 따르|따라|따른=follow
        속이|속여|속인=deceive 쉬운|쉽=easy 어려운|어렵=hard 얕은|얕=shallow 깊은|깊=deep
        비슷=similar 같은=same 다른=different 긴=long 짧은|짧=short 빠른|빠르|빨리=fast
        느린|느리=slow 적은|적게=few 많은|많이=many 전체=full|whole
        일으키|일으켜|일으킨=induce|cause 남기|남겨|남긴=keep|retain 버리|버려|버린=discard
        지우|지워|지운=delete 살리|살려|살린=keep 고치|고쳐|고친=fix|correct 막|막아=prevent
        """.split()
    )
    for form in forms.split("|")
}
# Words a description is phrased with rather than about ("the paper that showed...",
# "a method that..."): left out of a query that has other words, so a paper is not ranked
# for holding them (PASTA's alias ends in "Approach"). Kept in the index: a query of these
# alone still finds what holds them. With them the verbs a description is built on
# ("soft prompts become competitive as models get larger"): in a short list they are rare
# or absent, and would weigh as much as the words the query is about.
FILLER = frozenset(
    """paper papers work works study studies approach approaches method methods technique
    techniques one ones propose proposed proposes proposing introduce introduced introduces
    introducing show showed shows showing shown demonstrate demonstrated demonstrates
    researchers authors
    become becomes became becoming get gets got getting make makes made making help helps
    helped helping let lets allow allows allowed allowing enable enables enabled enabling
    able turns turned""".split()
)
# The same in Korean, by bare noun (`index.korean_stem`): "LoRA 관련 논문" is about LoRA. With
# them the words that say how much or which (모든 all, 더 more): the catalog's Korean is a
# few short bullets, so a common word of the language looks rare there and would weigh
# as much as a name.
KOREAN_FILLER = frozenset(
    """논문 연구 방법 방법론 기법 접근 접근법 방식 제안 제시 관련 대한 관한
    모든 각 여러 어떤 하나 더 덜 잘 또 및 등 수 것 때 중 후 가장 매우 아주 거의 다시
    통해 위해 따라 경우 정도 이유 일부 일부러 대신 이후 이전""".split()
)

# How English loanwords written in Hangul (노트 note, 인사이트 insight, 서빙 serving) sound,
# as coarse consonant classes: a Hangul word no paper holds and the glossary does not know is
# tried as the English words of the catalog that sound the same (`query._sounding`), so
# every loanword is handled alike, none listed. Vowels are left out (English spells them
# too freely); b p f v are one class, as are d t, g k c q, s z, j ch, l r.
HANGUL_LEADS = ("K", "K", "N", "T", "T", "L", "M", "P", "P", "S", "S", "", "J", "J", "J",
                "K", "T", "P", "")  # fmt: skip
HANGUL_TAILS = ("", "K", "K", "K", "N", "N", "N", "T", "L", "L", "M", "L", "L", "L", "P", "L",
                "M", "P", "P", "T", "T", "G", "T", "T", "K", "T", "P", "")  # fmt: skip
# English spellings and the class they sound as, longest first ("G" is the ng of 서빙)
ENGLISH_SOUNDS = (
    ("tion", "SN"), ("sion", "SN"), ("ng", "G"), ("ph", "P"), ("gh", ""), ("ck", "K"),
    ("sh", "S"), ("ch", "J"), ("th", "S"), ("qu", "K"), ("wh", ""), ("x", "KS"),
    ("b", "P"), ("p", "P"), ("f", "P"), ("v", "P"), ("d", "T"), ("t", "T"), ("g", "K"),
    ("k", "K"), ("q", "K"), ("s", "S"), ("z", "S"), ("j", "J"), ("l", "L"), ("r", "L"),
    ("m", "M"), ("n", "N"),
)  # fmt: skip
