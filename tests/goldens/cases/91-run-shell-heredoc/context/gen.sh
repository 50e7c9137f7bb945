#!/bin/sh
name=script
cat <<EOF > /out/from-script
hi $name
	indented kept
EOF
cat <<-EOF > /out/tabs-stripped
	hi $name
		double tab
	EOF
cat <<"EOF" >> /out/from-script
literal $name
EOF
