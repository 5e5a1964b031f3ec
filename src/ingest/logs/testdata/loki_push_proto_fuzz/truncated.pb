
¨
,{filename="/var/log/app.log", job="varlogs"}$
ÀÝÈ±level=info msg="started"P
ÁÝÈ±slow+
traceID 4bf92f3577b34da6a3ce929d0e0e4736
severitywarningc
 
{app="api"}
ÂÝÈ±