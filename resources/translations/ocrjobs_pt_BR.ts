<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context>
    <name>AuditDialog</name>
    <message>
        <location filename="../../desktop/audit_dialog.py" line="29"/>
        <source>Audit trail — {name}</source>
        <translation>Trilha de auditoria — {name}</translation>
    </message>
    <message>
        <location filename="../../desktop/audit_dialog.py" line="31"/>
        <source>Audit events</source>
        <translation>Eventos de auditoria</translation>
    </message>
    <message>
        <location filename="../../desktop/audit_dialog.py" line="35"/>
        <source>Time</source>
        <translation>Horário</translation>
    </message>
    <message>
        <location filename="../../desktop/audit_dialog.py" line="35"/>
        <source>Action</source>
        <translation>Ação</translation>
    </message>
    <message>
        <location filename="../../desktop/audit_dialog.py" line="35"/>
        <source>Actor</source>
        <translation>Autor</translation>
    </message>
    <message>
        <location filename="../../desktop/audit_dialog.py" line="35"/>
        <source>Details</source>
        <translation>Detalhes</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/audit_dialog.py" line="56"/>
        <source>%n event(s), oldest first</source>
        <translation>
            <numerusform>%n evento, do mais antigo ao mais recente</numerusform>
            <numerusform>%n eventos, do mais antigo ao mais recente</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../desktop/banner.py" line="36"/>
        <source>Message banner</source>
        <translation>Faixa de mensagens</translation>
    </message>
    <message>
        <location filename="../../desktop/banner.py" line="43"/>
        <location filename="../../desktop/banner.py" line="114"/>
        <source>Details</source>
        <translation>Detalhes</translation>
    </message>
    <message>
        <location filename="../../desktop/banner.py" line="46"/>
        <source>Show details</source>
        <translation>Mostrar detalhes</translation>
    </message>
    <message>
        <location filename="../../desktop/banner.py" line="49"/>
        <source>Banner action</source>
        <translation>Ação da mensagem</translation>
    </message>
    <message>
        <location filename="../../desktop/banner.py" line="55"/>
        <source>Dismiss</source>
        <translation>Dispensar</translation>
    </message>
    <message>
        <location filename="../../desktop/banner.py" line="56"/>
        <source>Dismiss message</source>
        <translation>Dispensar mensagem</translation>
    </message>
    <message>
        <location filename="../../desktop/banner.py" line="62"/>
        <source>Message details</source>
        <translation>Detalhes da mensagem</translation>
    </message>
    <message>
        <location filename="../../desktop/banner.py" line="114"/>
        <source>Hide details</source>
        <translation>Ocultar detalhes</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../desktop/export_dialog.py" line="41"/>
        <source>Export “{name}”</source>
        <translation>Exportar “{name}”</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="46"/>
        <source>Export format</source>
        <translation>Formato da exportação</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="48"/>
        <source>Text, all items in one file (.txt)</source>
        <translation>Texto, todos os itens num arquivo (.txt)</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="49"/>
        <source>Text, one file per item (into a folder)</source>
        <translation>Texto, um arquivo por item (numa pasta)</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="50"/>
        <source>JSON: text, confidence, word boxes (.json)</source>
        <translation>JSON: texto, confiança, caixas das palavras (.json)</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="51"/>
        <source>CSV: one row per item (.csv)</source>
        <translation>CSV: uma linha por item (.csv)</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="52"/>
        <source>Searchable PDF (.pdf)</source>
        <translation>PDF pesquisável (.pdf)</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="56"/>
        <source>Export destination</source>
        <translation>Destino da exportação</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="57"/>
        <source>Choose…</source>
        <translation>Escolher…</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="63"/>
        <source>&amp;Format:</source>
        <translation>&amp;Formato:</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="64"/>
        <source>&amp;Save to:</source>
        <translation>&amp;Salvar em:</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="69"/>
        <source>Export</source>
        <translation>Exportar</translation>
    </message>
    <message>
        <location filename="../../desktop/export_dialog.py" line="108"/>
        <source>Export to</source>
        <translation>Exportar para</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <location filename="../../desktop/filter_bar.py" line="22"/>
        <source>Search jobs by name…</source>
        <translation>Buscar trabalhos pelo nome…</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="26"/>
        <source>Search jobs</source>
        <translation>Buscar trabalhos</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="28"/>
        <source>Filter by status</source>
        <translation>Filtrar por situação</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="29"/>
        <source>All statuses</source>
        <translation>Todas as situações</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="31"/>
        <source>Pending</source>
        <translation>Pendente</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="32"/>
        <source>Processing</source>
        <translation>Processando</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="33"/>
        <source>Done</source>
        <translation>Concluído</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="34"/>
        <source>Error</source>
        <translation>Erro</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="35"/>
        <source>Expired</source>
        <translation>Expirado</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="50"/>
        <source>Status:</source>
        <translation>Situação:</translation>
    </message>
    <message>
        <location filename="../../desktop/filter_bar.py" line="66"/>
        <source>{shown} of {total} jobs</source>
        <translation>{shown} de {total} trabalhos</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location filename="../../desktop/image_viewer.py" line="46"/>
        <source>Image preview</source>
        <translation>Visualização da imagem</translation>
    </message>
    <message>
        <location filename="../../desktop/image_viewer.py" line="63"/>
        <source>Select an item to see its image</source>
        <translation>Selecione um item para ver a imagem</translation>
    </message>
</context>
<context>
    <name>ItemListModel</name>
    <message>
        <location filename="../../desktop/item_model.py" line="159"/>
        <source>Expired</source>
        <translation>Expirado</translation>
    </message>
    <message>
        <location filename="../../desktop/item_model.py" line="161"/>
        <source>Pending</source>
        <translation>Pendente</translation>
    </message>
    <message>
        <location filename="../../desktop/item_model.py" line="162"/>
        <source>Processing</source>
        <translation>Processando</translation>
    </message>
    <message>
        <location filename="../../desktop/item_model.py" line="163"/>
        <source>Done</source>
        <translation>Concluído</translation>
    </message>
    <message>
        <location filename="../../desktop/item_model.py" line="164"/>
        <source>Error</source>
        <translation>Erro</translation>
    </message>
    <message>
        <location filename="../../desktop/item_model.py" line="176"/>
        <source>confidence {c:.0f}%</source>
        <translation>confiança {c:.0f}%</translation>
    </message>
    <message>
        <location filename="../../desktop/item_model.py" line="178"/>
        <location filename="../../desktop/item_model.py" line="197"/>
        <source>needs review</source>
        <translation>precisa de revisão</translation>
    </message>
    <message>
        <location filename="../../desktop/item_model.py" line="188"/>
        <source>Many words were read with low confidence: check the text.</source>
        <translation>Muitas palavras foram lidas com baixa confiança: confira o texto.</translation>
    </message>
</context>
<context>
    <name>JobDetailPanel</name>
    <message>
        <location filename="../../desktop/job_detail.py" line="148"/>
        <source>Items of the job</source>
        <translation>Itens do trabalho</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="157"/>
        <source>Zoom out (Ctrl+-)</source>
        <translation>Diminuir zoom (Ctrl+-)</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="158"/>
        <source>Zoom in (Ctrl++)</source>
        <translation>Aumentar zoom (Ctrl++)</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="159"/>
        <source>Fit to window (Ctrl+0)</source>
        <translation>Ajustar à janela (Ctrl+0)</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="170"/>
        <source>Word boxes</source>
        <translation>Caixas das palavras</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="172"/>
        <source>Show the recognised words&apos; boxes; low-confidence words are orange</source>
        <translation>Mostra as caixas das palavras reconhecidas; as de baixa confiança ficam em laranja</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="174"/>
        <source>Show word boxes</source>
        <translation>Mostrar caixas das palavras</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="197"/>
        <source>Recognised text</source>
        <translation>Texto reconhecido</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="198"/>
        <source>The recognised text appears here.</source>
        <translation>O texto reconhecido aparece aqui.</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="205"/>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="208"/>
        <source>Copy text</source>
        <translation>Copiar texto</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="212"/>
        <source>Save as .txt…</source>
        <translation>Salvar como .txt…</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="215"/>
        <source>Save text as file</source>
        <translation>Salvar texto em arquivo</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="219"/>
        <source>Text</source>
        <translation>Texto</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="246"/>
        <source>Select a job to see its items and text.</source>
        <translation>Selecione um trabalho para ver seus itens e textos.</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="326"/>
        <source>Pending</source>
        <translation>Pendente</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="327"/>
        <source>Processing</source>
        <translation>Processando</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="328"/>
        <source>Done</source>
        <translation>Concluído</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="329"/>
        <source>Error</source>
        <translation>Erro</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="330"/>
        <source>Expired</source>
        <translation>Expirado</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="340"/>
        <source>Created {created} · language {language} · {done} of {total} items done</source>
        <translation>Criado em {created} · idioma {language} · {done} de {total} itens concluídos</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/job_detail.py" line="346"/>
        <source>%n item(s) need review</source>
        <translation>
            <numerusform>%n item precisa de revisão</numerusform>
            <numerusform>%n itens precisam de revisão</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="348"/>
        <source>Items whose words were read with low confidence: check their text.</source>
        <translation>Itens cujas palavras foram lidas com baixa confiança: confira o texto.</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="395"/>
        <source>Select an item to see its image</source>
        <translation>Selecione um item para ver a imagem</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="409"/>
        <source>No preview for PDF pages</source>
        <translation>Sem visualização para páginas PDF</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="412"/>
        <source>Loading image…</source>
        <translation>Carregando imagem…</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="425"/>
        <source>This image cannot be previewed</source>
        <translation>Esta imagem não pode ser visualizada</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="445"/>
        <source>Image unavailable: {reason}</source>
        <translation>Imagem indisponível: {reason}</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="483"/>
        <source>No text was found in this image.</source>
        <translation>Nenhum texto foi encontrado nesta imagem.</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="487"/>
        <source>Failed: {error}</source>
        <translation>Falhou: {error}</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="491"/>
        <source>Waiting for the OCR worker…</source>
        <translation>Aguardando o processador de OCR…</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="515"/>
        <source>Save text</source>
        <translation>Salvar texto</translation>
    </message>
    <message>
        <location filename="../../desktop/job_detail.py" line="515"/>
        <source>Text (*.txt)</source>
        <translation>Texto (*.txt)</translation>
    </message>
</context>
<context>
    <name>JobTableModel</name>
    <message>
        <location filename="../../desktop/job_table_model.py" line="297"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="298"/>
        <source>Created</source>
        <translation>Criado em</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="299"/>
        <source>Status</source>
        <translation>Situação</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="300"/>
        <source>Progress</source>
        <translation>Progresso</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="301"/>
        <source>Items</source>
        <translation>Itens</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="302"/>
        <source>Duration</source>
        <translation>Duração</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="307"/>
        <source>Pending</source>
        <translation>Pendente</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="308"/>
        <source>Processing</source>
        <translation>Processando</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="309"/>
        <source>Done</source>
        <translation>Concluído</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="310"/>
        <source>Error</source>
        <translation>Erro</translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="311"/>
        <source>Expired</source>
        <translation>Expirado</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/job_table_model.py" line="385"/>
        <source>%n done</source>
        <translation>
            <numerusform>%n concluído</numerusform>
            <numerusform>%n concluídos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/job_table_model.py" line="387"/>
        <source>%n running</source>
        <translation>
            <numerusform>%n em andamento</numerusform>
            <numerusform>%n em andamento</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/job_table_model.py" line="389"/>
        <source>%n waiting</source>
        <translation>
            <numerusform>%n aguardando</numerusform>
            <numerusform>%n aguardando</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/job_table_model.py" line="392"/>
        <source>%n failed</source>
        <translation>
            <numerusform>%n com falha</numerusform>
            <numerusform>%n com falha</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/job_table_model.py" line="394"/>
        <source>%n expired</source>
        <translation>
            <numerusform>%n expirado</numerusform>
            <numerusform>%n expirados</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/job_table_model.py" line="396"/>
        <source>⚑ %n to review</source>
        <translation>
            <numerusform>⚑ %n a revisar</numerusform>
            <numerusform>⚑ %n a revisar</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop/job_table_model.py" line="403"/>
        <source>{done} done, {processing} processing, {pending} pending, {error} failed ({expired} expired) of {total}</source>
        <translation>{done} concluídos, {processing} em processamento, {pending} pendentes, {error} com falha ({expired} expirados) de {total}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/main_window.py" line="169"/>
        <location filename="../../desktop/main_window.py" line="363"/>
        <source>OCR Jobs</source>
        <translation>OCR Jobs</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="172"/>
        <source>OCR Jobs main window</source>
        <translation>Janela principal do OCR Jobs</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="204"/>
        <source>&amp;Open images…</source>
        <translation>&amp;Abrir imagens…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="207"/>
        <source>&amp;Paste images</source>
        <translation>C&amp;olar imagens</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="210"/>
        <source>&amp;Refresh</source>
        <translation>A&amp;tualizar</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="213"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Configurações…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="215"/>
        <source>&amp;Quit</source>
        <translation>&amp;Sair</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="216"/>
        <source>Re&amp;name</source>
        <translation>Re&amp;nomear</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="218"/>
        <source>Re&amp;try failed</source>
        <translation>&amp;Reprocessar falhas</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="221"/>
        <source>&amp;Audit trail</source>
        <translation>Trilha de a&amp;uditoria</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="224"/>
        <source>&amp;Delete…</source>
        <translation>&amp;Excluir…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="227"/>
        <source>&amp;Find jobs</source>
        <translation>&amp;Buscar trabalhos</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="230"/>
        <source>Find in &amp;text…</source>
        <translation>Buscar no &amp;texto…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="233"/>
        <source>&amp;Export…</source>
        <translation>&amp;Exportar…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="236"/>
        <source>&amp;Copy text</source>
        <translation>&amp;Copiar texto</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="239"/>
        <source>&amp;Save text as…</source>
        <translation>&amp;Salvar texto como…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="242"/>
        <source>Zoom &amp;in</source>
        <translation>&amp;Aumentar zoom</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="245"/>
        <source>Zoom &amp;out</source>
        <translation>&amp;Diminuir zoom</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="248"/>
        <source>&amp;Fit image</source>
        <translation>A&amp;justar imagem</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="250"/>
        <source>&amp;About OCR Jobs</source>
        <translation>&amp;Sobre o OCR Jobs</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="262"/>
        <source>Main toolbar</source>
        <translation>Barra de ferramentas principal</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="279"/>
        <source>Backend mode</source>
        <translation>Modo do backend</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="293"/>
        <source>Jobs</source>
        <translation>Trabalhos</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="324"/>
        <source>Drop images or folders here, or press Ctrl+O, to create your first job.</source>
        <translation>Solte imagens ou pastas aqui, ou pressione Ctrl+O, para criar seu primeiro trabalho.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="352"/>
        <source>Drop images, PDFs or folders to create a job</source>
        <translation>Solte imagens, PDFs ou pastas para criar um trabalho</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="369"/>
        <source>&amp;File</source>
        <translation>&amp;Arquivo</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="375"/>
        <source>&amp;Job</source>
        <translation>&amp;Trabalho</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="379"/>
        <source>&amp;View</source>
        <translation>&amp;Exibir</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="383"/>
        <source>&amp;Help</source>
        <translation>A&amp;juda</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="405"/>
        <source>Text saved to {path}</source>
        <translation>Texto salvo em {path}</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="423"/>
        <source>Starting…</source>
        <translation>Iniciando…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="425"/>
        <source>Local stack</source>
        <translation>Pilha local</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="427"/>
        <source>Embedded local stack on 127.0.0.1 (no AWS account); data is discarded on exit</source>
        <translation>Pilha local embutida em 127.0.0.1 (sem conta AWS); os dados são descartados ao sair</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="431"/>
        <source>AWS</source>
        <translation>AWS</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="432"/>
        <source>AWS region {region}, bucket {bucket}</source>
        <translation>Região AWS {region}, bucket {bucket}</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="437"/>
        <source>Test backend</source>
        <translation>Backend de teste</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="438"/>
        <source>Not connected</source>
        <translation>Desconectado</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="449"/>
        <source>Worker running</source>
        <translation>Processador ativo</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="452"/>
        <source>No worker running</source>
        <translation>Nenhum processador ativo</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="453"/>
        <source>Start one with: ocrjobs-worker</source>
        <translation>Inicie um com: ocrjobs-worker</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="457"/>
        <source>OCR Jobs — {mode}</source>
        <translation>OCR Jobs — {mode}</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="473"/>
        <source>Running on the embedded local stack, but no OCR worker is running: jobs stay pending.</source>
        <translation>Executando na pilha local embutida, mas nenhum processador de OCR está ativo: os trabalhos ficam pendentes.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="480"/>
        <source>The backend could not start</source>
        <translation>O backend não pôde ser iniciado</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="487"/>
        <source>Lost the connection to the database: {message}</source>
        <translation>Conexão com o banco de dados perdida: {message}</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="549"/>
        <source>This column cannot be sorted</source>
        <translation>Esta coluna não pode ser ordenada</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="585"/>
        <source>Job finished: {name}</source>
        <translation>Trabalho concluído: {name}</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="586"/>
        <source>{done} of {total} items done, {failed} failed</source>
        <translation>{done} de {total} itens concluídos, {failed} com falha</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="653"/>
        <source>Choose images</source>
        <translation>Escolher imagens</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="658"/>
        <source>Images and PDFs (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.gif *.webp *.pdf)</source>
        <translation>Imagens e PDFs (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.gif *.webp *.pdf)</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="660"/>
        <source>All files (*)</source>
        <translation>Todos os arquivos (*)</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="687"/>
        <source>The clipboard holds no image or file</source>
        <translation>A área de transferência não contém imagem nem arquivo</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="717"/>
        <source>Not connected: nothing was sent.</source>
        <translation>Desconectado: nada foi enviado.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="762"/>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="783"/>
        <source>Job “{name}” created with {n} items</source>
        <translation>Trabalho “{name}” criado com {n} itens</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/main_window.py" line="792"/>
        <source>No job was created: none of the %n file(s) could be used.</source>
        <translation>
            <numerusform>Nenhum trabalho foi criado: o arquivo não pôde ser usado.</numerusform>
            <numerusform>Nenhum trabalho foi criado: nenhum dos %n arquivos pôde ser usado.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/main_window.py" line="798"/>
        <source>%n file(s) were refused; the others were sent.</source>
        <translation>
            <numerusform>%n arquivo foi recusado; os demais foram enviados.</numerusform>
            <numerusform>%n arquivos foram recusados; os demais foram enviados.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/main_window.py" line="805"/>
        <source>%n item(s) could not be queued yet; they will be sent again automatically.</source>
        <translation>
            <numerusform>%n item ainda não pôde entrar na fila; será reenviado automaticamente.</numerusform>
            <numerusform>%n itens ainda não puderam entrar na fila; serão reenviados automaticamente.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="837"/>
        <source>Upload of “{name}” cancelled; nothing was kept</source>
        <translation>Envio de “{name}” cancelado; nada foi mantido</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/main_window.py" line="855"/>
        <source>Nothing was sent — {reason}. Your %n file(s) are listed in the details; send again when the connection is back.</source>
        <translation>
            <numerusform>Nada foi enviado — {reason}. Seu arquivo está listado nos detalhes; envie de novo quando a conexão voltar.</numerusform>
            <numerusform>Nada foi enviado — {reason}. Seus %n arquivos estão listados nos detalhes; envie de novo quando a conexão voltar.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="861"/>
        <source>Send again</source>
        <translation>Enviar de novo</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="843"/>
        <source>Could not create the job “{name}”</source>
        <translation>Não foi possível criar o trabalho “{name}”</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="879"/>
        <source>Cannot reach the backend ({reason}). “{name}” is kept in the outbox and will be sent automatically when the connection is back.</source>
        <translation>Não foi possível acessar o backend ({reason}). “{name}” ficou guardado na caixa de saída e será enviado automaticamente quando a conexão voltar.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="883"/>
        <source>Send now</source>
        <translation>Enviar agora</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="905"/>
        <source>Waiting to send</source>
        <translation>Aguardando envio</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="952"/>
        <source>Could not rename the job</source>
        <translation>Não foi possível renomear o trabalho</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="959"/>
        <source>Renamed to “{name}”</source>
        <translation>Renomeado para “{name}”</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="981"/>
        <source>Delete job</source>
        <translation>Excluir trabalho</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="982"/>
        <source>Delete the job “{name}”?</source>
        <translation>Excluir o trabalho “{name}”?</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="985"/>
        <source>This permanently removes {objects} stored image(s) from the bucket, {rows} database row(s) (the job and its {items} item(s)) and {events} audit log entr(ies). The deletion itself is logged.</source>
        <translation>Isto remove permanentemente {objects} imagem(ns) armazenada(s) no bucket, {rows} linha(s) do banco de dados (o trabalho e seus {items} item(ns)) e {events} registro(s) de auditoria. A própria exclusão fica registrada.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="991"/>
        <source>Delete</source>
        <translation>Excluir</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1006"/>
        <source>Could not delete the job</source>
        <translation>Não foi possível excluir o trabalho</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1015"/>
        <source>Deleted: {objects} objects, {rows} rows, {events} audit entries</source>
        <translation>Excluído: {objects} objetos, {rows} linhas, {events} registros de auditoria</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1028"/>
        <source>Could not retry the items</source>
        <translation>Não foi possível reprocessar os itens</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/main_window.py" line="1033"/>
        <source>%n item(s) queued again</source>
        <translation>
            <numerusform>%n item voltou para a fila</numerusform>
            <numerusform>%n itens voltaram para a fila</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1044"/>
        <source>Could not read the audit log</source>
        <translation>Não foi possível ler o registro de auditoria</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1061"/>
        <source>Could not read the settings</source>
        <translation>Não foi possível ler as configurações</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1099"/>
        <source>The new language applies the next time OCR Jobs starts.</source>
        <translation>O novo idioma vale a partir da próxima vez que o OCR Jobs for aberto.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1125"/>
        <source>Exporting…</source>
        <translation>Exportando…</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1129"/>
        <source>Export failed</source>
        <translation>A exportação falhou</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/main_window.py" line="1134"/>
        <source>Exported %n file(s) to {path}</source>
        <translation>
            <numerusform>%n arquivo exportado para {path}</numerusform>
            <numerusform>%n arquivos exportados para {path}</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1144"/>
        <source>Open folder</source>
        <translation>Abrir pasta</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1167"/>
        <source>That job is no longer in the list</source>
        <translation>Esse trabalho não está mais na lista</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1209"/>
        <source>About OCR Jobs</source>
        <translation>Sobre o OCR Jobs</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1211"/>
        <source>OCR Jobs — drop images in, read their text.
Desktop client of the ocrjobs pipeline.</source>
        <translation>OCR Jobs — solte imagens, leia o texto.
Cliente desktop do pipeline ocrjobs.</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="1246"/>
        <source>Uploads in progress</source>
        <translation>Envios em andamento</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/main_window.py" line="1248"/>
        <source>%n upload(s) are still running. Cancel them and quit?</source>
        <translation>
            <numerusform>%n envio ainda está em andamento. Cancelar e sair?</numerusform>
            <numerusform>%n envios ainda estão em andamento. Cancelar e sair?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <location filename="../../desktop/search_dialog.py" line="51"/>
        <source>Find in text</source>
        <translation>Buscar no texto</translation>
    </message>
    <message>
        <location filename="../../desktop/search_dialog.py" line="57"/>
        <source>Words to find in every job&apos;s text</source>
        <translation>Palavras a buscar no texto de todos os trabalhos</translation>
    </message>
    <message>
        <location filename="../../desktop/search_dialog.py" line="58"/>
        <source>Text to find</source>
        <translation>Texto a buscar</translation>
    </message>
    <message>
        <location filename="../../desktop/search_dialog.py" line="60"/>
        <source>Find</source>
        <translation>Buscar</translation>
    </message>
    <message>
        <location filename="../../desktop/search_dialog.py" line="66"/>
        <source>Search results</source>
        <translation>Resultados da busca</translation>
    </message>
    <message>
        <location filename="../../desktop/search_dialog.py" line="100"/>
        <source>Searching…</source>
        <translation>Buscando…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/search_dialog.py" line="114"/>
        <source>%n item(s) found; double-click or press Enter to open one.</source>
        <translation>
            <numerusform>%n item encontrado; clique duas vezes ou tecle Enter para abri-lo.</numerusform>
            <numerusform>%n itens encontrados; clique duas vezes ou tecle Enter para abrir um.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop/search_dialog.py" line="118"/>
        <source>No text matches.</source>
        <translation>Nenhum texto corresponde.</translation>
    </message>
    <message>
        <location filename="../../desktop/search_dialog.py" line="126"/>
        <source>The search failed: {reason}</source>
        <translation>A busca falhou: {reason}</translation>
    </message>
</context>
<context>
    <name>SearchHitModel</name>
    <message>
        <location filename="../../desktop/search_model.py" line="66"/>
        <source>Job</source>
        <translation>Trabalho</translation>
    </message>
    <message>
        <location filename="../../desktop/search_model.py" line="67"/>
        <source>File</source>
        <translation>Arquivo</translation>
    </message>
    <message>
        <location filename="../../desktop/search_model.py" line="68"/>
        <source>Page</source>
        <translation>Página</translation>
    </message>
    <message>
        <location filename="../../desktop/search_model.py" line="69"/>
        <source>Text</source>
        <translation>Texto</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="97"/>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="104"/>
        <source>AWS profile</source>
        <translation>Perfil AWS</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="109"/>
        <source>AWS region</source>
        <translation>Região AWS</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="110"/>
        <source>Endpoint URL</source>
        <translation>URL do endpoint</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="111"/>
        <source>S3 bucket</source>
        <translation>Bucket S3</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="112"/>
        <source>SQS queue</source>
        <translation>Fila SQS</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="113"/>
        <source>Audit table</source>
        <translation>Tabela de auditoria</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="116"/>
        <source>Database URL</source>
        <translation>URL do banco de dados</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="118"/>
        <source>Database password</source>
        <translation>Senha do banco de dados</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="120"/>
        <source>stored in the system keyring</source>
        <translation>guardada no chaveiro do sistema</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="125"/>
        <source>Default OCR language</source>
        <translation>Idioma padrão do OCR</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="131"/>
        <source>Poll interval in seconds</source>
        <translation>Intervalo de consulta em segundos</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="133"/>
        <source>Interface language</source>
        <translation>Idioma da interface</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="135"/>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="138"/>
        <source>AWS</source>
        <translation>AWS</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="140"/>
        <source>&amp;Profile:</source>
        <translation>&amp;Perfil:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="141"/>
        <source>&amp;Region:</source>
        <translation>&amp;Região:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="142"/>
        <source>&amp;Endpoint URL:</source>
        <translation>URL do &amp;endpoint:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="143"/>
        <source>&amp;Bucket:</source>
        <translation>&amp;Bucket:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="144"/>
        <source>&amp;Queue:</source>
        <translation>&amp;Fila:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="145"/>
        <source>Audit &amp;table:</source>
        <translation>&amp;Tabela de auditoria:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="146"/>
        <source>Database</source>
        <translation>Banco de dados</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="148"/>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="149"/>
        <source>Pass&amp;word:</source>
        <translation>&amp;Senha:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="150"/>
        <source>Application</source>
        <translation>Aplicativo</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="152"/>
        <source>OCR &amp;language:</source>
        <translation>&amp;Idioma do OCR:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="153"/>
        <source>Poll &amp;interval:</source>
        <translation>Intervalo de &amp;consulta:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="154"/>
        <source>Interface l&amp;anguage:</source>
        <translation>Idioma da inter&amp;face:</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="157"/>
        <source>Leave the database URL, endpoint and profile empty to run on the embedded local stack. AWS credentials come from your AWS profile or environment.</source>
        <translation>Deixe a URL do banco, o endpoint e o perfil vazios para usar a pilha local embutida. As credenciais AWS vêm do seu perfil AWS ou do ambiente.</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="164"/>
        <source>&amp;Test connection</source>
        <translation>&amp;Testar conexão</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="165"/>
        <source>Test connection</source>
        <translation>Testar conexão</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="169"/>
        <source>Connection test results</source>
        <translation>Resultados do teste de conexão</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="172"/>
        <source>Service</source>
        <translation>Serviço</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="172"/>
        <source>Result</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="172"/>
        <source>Where</source>
        <translation>Onde</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="172"/>
        <source>Duration</source>
        <translation>Duração</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="262"/>
        <source>Could not save: {error}</source>
        <translation>Não foi possível salvar: {error}</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="272"/>
        <source>Testing…</source>
        <translation>Testando…</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="292"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="302"/>
        <source>All services reachable.</source>
        <translation>Todos os serviços acessíveis.</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="304"/>
        <source>Failing: {services}</source>
        <translation>Com falha: {services}</translation>
    </message>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="311"/>
        <source>The test could not run: {error}</source>
        <translation>O teste não pôde ser executado: {error}</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../desktop/status_bar.py" line="21"/>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="22"/>
        <source>Connection</source>
        <translation>Conexão</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="23"/>
        <source>Queue depth</source>
        <translation>Tamanho da fila</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="24"/>
        <source>Items per minute</source>
        <translation>Itens por minuto</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="25"/>
        <source>Worker</source>
        <translation>Processador</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="45"/>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="48"/>
        <source>Connected</source>
        <translation>Conectado</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="51"/>
        <source>Offline</source>
        <translation>Sem conexão</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="57"/>
        <source>Queue: –</source>
        <translation>Fila: –</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="60"/>
        <source>Queue: {visible} waiting, {in_flight} in progress</source>
        <translation>Fila: {visible} aguardando, {in_flight} em andamento</translation>
    </message>
    <message>
        <location filename="../../desktop/status_bar.py" line="66"/>
        <source>{rate:.0f} items/min</source>
        <translation>{rate:.0f} itens/min</translation>
    </message>
</context>
<context>
    <name>SubmitDialog</name>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="69"/>
        <source>New OCR job</source>
        <translation>Novo trabalho de OCR</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="72"/>
        <source>Job name</source>
        <translation>Nome do trabalho</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="75"/>
        <source>OCR language</source>
        <translation>Idioma do OCR</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="77"/>
        <source>Installed OCR languages; combine them with “+”, e.g. eng+por</source>
        <translation>Idiomas de OCR instalados; combine-os com “+”, p. ex. eng+por</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="87"/>
        <source>Files to send</source>
        <translation>Arquivos a enviar</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="91"/>
        <source>… and {n} more</source>
        <translation>… e mais {n}</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="94"/>
        <source>&amp;Name:</source>
        <translation>&amp;Nome:</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="95"/>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="101"/>
        <source>Create job</source>
        <translation>Criar trabalho</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/submit_dialog.py" line="109"/>
        <source>%n file(s) or folder(s) dropped:</source>
        <translation>
            <numerusform>%n arquivo ou pasta solto:</numerusform>
            <numerusform>%n arquivos ou pastas soltos:</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="112"/>
        <source>Files that are not images or PDFs are listed after the upload, with reasons.</source>
        <translation>Arquivos que não são imagens nem PDFs são listados após o envio, com os motivos.</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="128"/>
        <source>Choose an OCR language.</source>
        <translation>Escolha um idioma de OCR.</translation>
    </message>
    <message>
        <location filename="../../desktop/submit_dialog.py" line="131"/>
        <source>Not installed for OCR: {codes}. Installed: {installed}.</source>
        <translation>Não instalado para OCR: {codes}. Instalados: {installed}.</translation>
    </message>
</context>
<context>
    <name>UploadsPanel</name>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="52"/>
        <source>Uploads</source>
        <translation>Envios</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="61"/>
        <location filename="../../desktop/uploads_panel.py" line="73"/>
        <source>Checking…</source>
        <translation>Verificando…</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="74"/>
        <source>Uploading…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="75"/>
        <source>Saving…</source>
        <translation>Salvando…</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="76"/>
        <source>Queueing…</source>
        <translation>Enfileirando…</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="77"/>
        <source>Done</source>
        <translation>Concluído</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="81"/>
        <source>%v of %m files</source>
        <translation>%v de %m arquivos</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="94"/>
        <source>held in the outbox</source>
        <translation>guardado na caixa de saída</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="95"/>
        <source>Discard this held submission</source>
        <translation>Descartar este envio guardado</translation>
    </message>
</context>
<context>
    <name>_UploadRow</name>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="30"/>
        <source>Upload progress of {name}</source>
        <translation>Progresso do envio de {name}</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="34"/>
        <source>Cancel this upload</source>
        <translation>Cancelar este envio</translation>
    </message>
    <message>
        <location filename="../../desktop/uploads_panel.py" line="35"/>
        <source>Cancel upload of {name}</source>
        <translation>Cancelar o envio de {name}</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../../desktop/screenshots.py" line="287"/>
        <source>Worker running</source>
        <translation>Processador ativo</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop/screenshots.py" line="322"/>
        <source>%n file(s) were refused; the others were sent.</source>
        <translation>
            <numerusform>%n arquivo foi recusado; os demais foram enviados.</numerusform>
            <numerusform>%n arquivos foram recusados; os demais foram enviados.</numerusform>
        </translation>
    </message>
</context>
</TS>
