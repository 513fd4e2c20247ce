{% test rows_read_add_up(model) %}
{#- Nothing lost: for every file, rows read = rows loaded + rows quarantined. -#}
select file_name, rows_read, rows_loaded, rows_quarantined
from {{ model }}
where rows_read <> rows_loaded + rows_quarantined
{% endtest %}
