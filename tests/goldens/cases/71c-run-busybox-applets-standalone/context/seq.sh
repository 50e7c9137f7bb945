#!/bin/sh
echo "script seq $*"
